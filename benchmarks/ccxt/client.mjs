// The ccxt side of the cross-process comparison (benchmarks/run): the same four calls as
// bench_bare_client and bench_exsdk_client, through ccxt's own methods for them, against the
// mock (ccxt's `urls.api` overridden), with ccxt's rate limiter off (the mock runs without limits):
//   WOO X   v3PrivatePostAccountListenKey({type: 'WEBSOCKET'})   POST /v3/account/listenKey
//           v3PrivateGetAccountCredentials({page: 1, size: 25})  GET  /v3/account/credentials
//   BingX   userAuthPrivatePostUserDataStream()                  POST /openApi/user/auth/userDataStream
//           userAuthPrivatePutUserDataStream({listenKey})        PUT  (the key this worker generated)
// Runs the same phases and prints the same JSON lines as benchmarks/common/load.hpp (plain HTTP
// only: "transport":"plain"): cold (the first --cold cycles, default 100, right after start-up,
// before V8 has compiled the hot paths; ccxt connects on its first call), warmup (blocks of up to
// 250 cycles, at least --warmup cycles, going on while a block's CPU per call is still more than
// 3% below the best block before it, at most --warmup-max cycles, default 20,000), seq,
// concurrent (after 4 unprinted cycles per coroutine that open its connections), process.
//
//   node client.mjs --ccxt-dir DIR --url URL [--cycles N] [--cold N] [--warmup N]
//                   [--warmup-max N] [--concurrency N]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const usage = 'usage: client.mjs --ccxt-dir DIR --url URL [--cycles N] [--cold N] [--warmup N] [--warmup-max N] [--concurrency N]';
const opts = { cycles: 2000, cold: 100, warmup: 200, warmupMax: 20000, concurrency: 16 };
const numeric = { cycles: 'cycles', cold: 'cold', warmup: 'warmup', 'warmup-max': 'warmupMax', concurrency: 'concurrency' };
for (let i = 2; i + 1 < process.argv.length; i += 2) {
    const k = process.argv[i].replace(/^--/, '');
    const v = process.argv[i + 1];
    if (k === 'ccxt-dir') opts.dir = v;
    else if (k === 'url') opts.url = v;
    else if (numeric[k] && /^\d+$/.test(v)) opts[numeric[k]] = Number(v);
    else {
        console.error(`client.mjs: bad flag ${process.argv[i]} ${v}\n${usage}`);
        process.exit(2);
    }
}
if (!opts.url || !opts.dir || !opts.url.startsWith('http://')) {
    console.error(usage + ' (plain http:// only)');
    process.exit(2);
}

const ccxtPath = join(opts.dir, 'node_modules', 'ccxt');
const ccxt = (await import(pathToFileURL(join(ccxtPath, 'js', 'ccxt.js')).href)).default;
const version = JSON.parse(readFileSync(join(ccxtPath, 'package.json'), 'utf8')).version;

const woo = new ccxt.woo({
    apiKey: 'AbmyVJGUpN064ks5ELjLfA==',
    secret: 'QHKRXHPAW1MC9YGZMAT8YDJG2HPR',
    enableRateLimit: false,
});
woo.urls.api = { pub: opts.url, public: opts.url, private: opts.url };
const bingx = new ccxt.bingx({
    apiKey: 'bingx-demo-api-key-0001',
    secret: 'mheO6dR8ovSsxZQCOYEFCtelpuxcWGTfHw7te326y6jOwq5WpvFQ9JNljoTwBXZGv5It07m9RXSPpDQEK2w',
    enableRateLimit: false,
});
bingx.urls.api = Object.fromEntries(Object.keys(bingx.urls.api).map((k) => [k, opts.url + '/openApi']));

const calls = ['woox_listen_key', 'woox_credentials', 'bingx_generate', 'bingx_extend'];

async function call(name, state) {
    switch (name) {
    case 'woox_listen_key': {
        const r = await woo.v3PrivatePostAccountListenKey({ type: 'WEBSOCKET' });
        return r && r.success === true && r.data && r.data.authKey ? '' : 'unexpected answer ' + JSON.stringify(r);
    }
    case 'woox_credentials': {
        const r = await woo.v3PrivateGetAccountCredentials({ page: 1, size: 25 });
        return r && r.success === true ? '' : 'unexpected answer ' + JSON.stringify(r);
    }
    case 'bingx_generate': {
        const r = await bingx.userAuthPrivatePostUserDataStream();
        if (!r || typeof r.listenKey !== 'string') {
            return 'unexpected answer ' + JSON.stringify(r);
        }
        state.key = r.listenKey;
        return '';
    }
    case 'bingx_extend': {
        await bingx.userAuthPrivatePutUserDataStream({ listenKey: state.key }); // empty 200 answer
        return '';
    }
    }
    return 'unknown call';
}

function percentile(v, q) {
    if (v.length === 0) return 0;
    v.sort((a, b) => a - b);
    const rank = Math.ceil(q * v.length);
    return v[Math.min(v.length - 1, rank === 0 ? 0 : rank - 1)];
}

async function runPhase(phase, cycles, concurrency, print = true) {
    const lat = Object.fromEntries(calls.map((c) => [c, []]));
    const all = [];
    const res = { calls: 0, errors: 0, firstError: '', cpuUsPerCall: 0 };
    let remaining = cycles;
    async function worker() {
        const state = { key: '' };
        while (remaining > 0 && res.errors === 0) {
            --remaining;
            for (const c of calls) {
                const t0 = process.hrtime.bigint();
                let e;
                try {
                    e = await call(c, state);
                } catch (ex) {
                    e = String(ex && ex.message ? ex.message : ex);
                }
                const us = Number(process.hrtime.bigint() - t0) / 1e3;
                ++res.calls;
                if (e !== '') {
                    if (res.errors++ === 0) res.firstError = c + ': ' + e;
                    break;
                }
                lat[c].push(us);
                all.push(us);
            }
        }
    }
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    await Promise.all(Array.from({ length: concurrency }, () => worker()));
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    res.cpuUsPerCall = res.calls === 0 ? 0 : (cpu.user + cpu.system) / res.calls;
    if (print) {
        const line = {
            client: 'ccxt', transport: 'plain', phase, concurrency, calls: res.calls, errors: res.errors, seconds,
            rps: res.calls / seconds, p50_us: percentile(all, 0.5), p99_us: percentile(all, 0.99),
            cpu_us_per_call: res.cpuUsPerCall,
        };
        for (const c of calls) line['p50_us_' + c] = percentile(lat[c], 0.5);
        if (res.firstError) line.error = res.firstError;
        console.log(JSON.stringify(line));
    }
    return res;
}

function peakRssKib() {
    const m = /VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) : -1;
}

// The warm-up: blocks until the CPU per call stops falling (as warm_up in load.hpp).
async function warmUp(minCycles, maxCycles) {
    const block = Math.min(Math.max(minCycles, 1), 250);
    maxCycles = Math.max(maxCycles, minCycles);
    const total = { calls: 0, errors: 0, firstError: '', cpuUsPerCall: 0 };
    let best = Infinity, first = 0, cycles = 0, blocks = 0, stillFalling = true;
    while (cycles < maxCycles && total.errors === 0) {
        const n = Math.min(block, maxCycles - cycles);
        const r = await runPhase('warmup', n, 1, false);
        cycles += n;
        ++blocks;
        total.calls += r.calls;
        total.errors += r.errors;
        if (!total.firstError) total.firstError = r.firstError;
        total.cpuUsPerCall = r.cpuUsPerCall;
        if (blocks === 1) first = r.cpuUsPerCall;
        stillFalling = r.cpuUsPerCall < best * 0.97;
        best = Math.min(best, r.cpuUsPerCall);
        if (cycles >= minCycles && !stillFalling) break;
    }
    const line = {
        client: 'ccxt', transport: 'plain', phase: 'warmup', concurrency: 1, calls: total.calls, errors: total.errors,
        blocks, block_calls: block * calls.length, cpu_us_per_call: total.cpuUsPerCall,
        first_block_cpu_us_per_call: first, best_block_cpu_us_per_call: Number.isFinite(best) ? best : null,
        capped: stillFalling && total.errors === 0,
    };
    if (total.firstError) line.error = total.firstError;
    console.log(JSON.stringify(line));
    return total;
}

const phases = [];
const run = async () => {
    if (opts.cold > 0) phases.push(await runPhase('cold', opts.cold, 1));
    if (phases.some((r) => r.errors)) return;
    phases.push(await warmUp(opts.warmup, opts.warmupMax));
    if (phases.some((r) => r.errors)) return;
    phases.push(await runPhase('seq', opts.cycles, 1));
    // Not printed: opens the connections the concurrent phase uses (as load.hpp does).
    if (opts.concurrency > 1) phases.push(await runPhase('open', 4 * opts.concurrency, opts.concurrency, false));
    phases.push(await runPhase('concurrent', opts.cycles, opts.concurrency));
};
await run();
const errors = phases.reduce((n, r) => n + r.errors, 0);
console.log(JSON.stringify({ client: 'ccxt', transport: 'plain', phase: 'process', peak_rss_kib: peakRssKib(), errors, ccxt_version: version, node_version: process.version }));
for (const r of phases) if (r.errors) console.error('ccxt: ' + r.firstError);
process.exit(errors === 0 ? 0 : 1);
