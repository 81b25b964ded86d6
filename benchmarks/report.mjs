// Builds the one results table from the raw outputs of benchmarks/run (exsdk_bench.json, the wrk
// outputs, clients.jsonl, profile.jsonl) and writes benchmarks/results/latest.json and latest.md
// (and prints the table). Goal rows say "yes" or "NO"; a row whose figures are missing says
// "n/a" (or "skipped" where benchmarks/run skipped the tool).
//
//   node benchmarks/report.mjs benchmarks/results
//
// Every ratio in the table is between two figures measured in the same run, side by side.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const res = process.argv[2];
const raw = join(res, 'raw');
const machine = JSON.parse(readFileSync(join(raw, 'machine.json'), 'utf8'));

// --- exsdk_bench (Google Benchmark JSON) -----------------------------------------------------
const gb = existsSync(join(raw, 'exsdk_bench.json'))
    ? JSON.parse(readFileSync(join(raw, 'exsdk_bench.json'), 'utf8')).benchmarks
    : [];
// The median of the repetitions when there are several, else the single run.
function bench(base) {
    const runs = gb.filter((b) => b.run_name === base || b.run_name.startsWith(base + '/'));
    if (runs.length === 0) return undefined;
    if (runs.some((b) => b.error_occurred)) return undefined;
    return runs.find((b) => b.aggregate_name === 'median') ?? runs.find((b) => b.run_type === 'iteration');
}
const toNs = { ns: 1, us: 1e3, ms: 1e6, s: 1e9 };
const cpuNs = (b) => (b ? b.cpu_time * toNs[b.time_unit] : undefined);

// --- wrk ---------------------------------------------------------------------------------------
function parseWrk(file) {
    const text = readFileSync(file, 'utf8');
    const unit = { us: 1, ms: 1e3, s: 1e6 };
    const lat = (p) => {
        const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(text);
        return m ? Number(m[1]) * unit[m[2]] : undefined;
    };
    const rps = /Requests\/sec:\s+([\d.]+)/.exec(text);
    return { rps: rps ? Number(rps[1]) : undefined, p50_us: lat(50), p99_us: lat(99) };
}
const median = (v) => {
    const s = v.filter((x) => x !== undefined).sort((a, b) => a - b);
    return s.length ? s[Math.floor((s.length - 1) / 2)] : undefined;
};
const wrk = {};
for (const f of existsSync(raw) ? readdirSync(raw) : []) {
    const m = /^wrk_(.+)_(mock|bare)_(\d+)\.txt$/.exec(f);
    if (!m) continue;
    ((wrk[m[1]] ??= {})[m[2]] ??= []).push(parseWrk(join(raw, f)));
}
const wrkSide = (row, side) => {
    const runs = wrk[row]?.[side];
    if (!runs) return undefined;
    return { rps: median(runs.map((r) => r.rps)), p50_us: median(runs.map((r) => r.p50_us)), p99_us: median(runs.map((r) => r.p99_us)) };
};

// --- clients (bare, exsdk, ccxt; bare_tls, exsdk_tls) ------------------------------------------
// Keyed by client, with "_tls" appended for the TLS runs (lines without a transport are plain).
// The JSON lines of a raw output (none when the file is missing).
const jsonLines = (file) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n') : [])
    .filter((line) => line.trim().startsWith('{'))
    .map((line) => JSON.parse(line));
const clients = {};
for (const j of jsonLines(join(raw, 'clients.jsonl'))) {
    const key = j.transport === 'tls' ? `${j.client}_tls` : j.client;
    ((clients[key] ??= {})[j.phase] ??= []).push(j);
}
// The median over the rounds (peak memory: the largest).
const cl = (client, phase, key) => {
    const runs = clients[client]?.[phase];
    if (!runs) return undefined;
    const v = runs.map((r) => r[key]);
    return key === 'peak_rss_kib' ? Math.max(...v) : median(v);
};

// --- benchmarks/profile (section 9): one JSON line per client ---------------------------------
const profile = {};
for (const j of jsonLines(join(raw, 'profile.jsonl'))) {
    if (j.client) profile[j.client] = j;
}

// --- formatting --------------------------------------------------------------------------------
function fmt(v, unit) {
    if (v === undefined || v === null || Number.isNaN(v)) return 'n/a';
    const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
    const s = v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
    return unit ? `${s} ${unit}` : s;
}
const x = (v) => (v === undefined || Number.isNaN(v) ? 'n/a' : `${v.toFixed(2)}x`);
const kib = (v) => (v === undefined ? 'n/a' : v >= 10240 ? `${(v / 1024).toFixed(1)} MiB` : `${Math.round(v)} KiB`);
const bytes = (v) => (v === undefined ? 'n/a' : v >= 10240 ? `${(v / 1024).toFixed(1)} KiB` : `${Math.round(v)} B`);

const rows = [];
// row(section, what, exsdk, reference, ratio, goal, met): met is true/false/undefined (no goal)
function row(section, what, exsdk, reference, ratio, goal = '', met = undefined) {
    rows.push({ section, what, exsdk, reference, ratio, goal, met: met === undefined ? '' : met ? 'yes' : 'NO' });
}
const ok = (v, test) => (v === undefined || Number.isNaN(v) ? undefined : test(v));

// 1. Signing (each row: exsdk and the floor in interleaved blocks, medians per operation)
{
    const sign = [
        ['WOO X POST listenKey, signed as the client does (build + sign + 3 headers)', 'sign/woox_request', true],
        ['BingX generate, signed as the client does (build + sorted query + sign)', 'sign/bingx_request/generate', true],
        ['BingX extend, signed as the client does', 'sign/bingx_request/extend', true],
        ['WOO X hex signature only (signer::signature)', 'sign/woox_signature', false],
        ['exsdk::hmac_sha256 digest only (same bytes)', 'sign/exsdk_hmac', false],
    ];
    for (const [what, name, goal] of sign) {
        const b = bench(name);
        row('1 signing', what, fmt(b?.exsdk_ns, 'ns'), `OpenSSL floor ${fmt(b?.floor_ns, 'ns')}`, x(b?.ratio),
            goal ? '<= 1.2x floor' : '', goal ? ok(b?.ratio, (q) => q <= 1.2) : undefined);
    }
}

// 2. Limiter
{
    const a = cpuNs(bench('limiter/acquire_free')), c = cpuNs(bench('limiter/awaitable_call_floor'));
    const t = cpuNs(bench('limiter/try_acquire_free'));
    row('2 limiter', 'co_await acquire(), slot free', fmt(a, 'ns'), `empty co_await ${fmt(c, 'ns')}; try_acquire() ${fmt(t, 'ns')}`,
        x(a / c), '< 100 ns', ok(a, (v) => v < 100));
    const w = bench('limiter/waiters');
    const n = w?.waiters ?? 10000;
    row('2 limiter', `${fmt(n)} waiting coroutines: enqueue, per waiter`, fmt(w?.enqueue_ns_per_waiter, 'ns'), `exsdk::timer wait ${fmt(w?.timer_enqueue_ns_per_waiter, 'ns')}`, x(w?.enqueue_ns_per_waiter / w?.timer_enqueue_ns_per_waiter));
    row('2 limiter', `${fmt(n)} waiting coroutines: wake, per waiter`, fmt(w?.wake_ns_per_waiter, 'ns'), `exsdk::timer wait ${fmt(w?.timer_wake_ns_per_waiter, 'ns')}`, x(w?.wake_ns_per_waiter / w?.timer_wake_ns_per_waiter));
    row('2 limiter', `${fmt(n)} waiting coroutines: heap per waiter`, bytes(w?.bytes_per_waiter), `exsdk::timer wait ${bytes(w?.timer_bytes_per_waiter)}`, x(w?.bytes_per_waiter / w?.timer_bytes_per_waiter));
}

// 3. One call over loopback against the in-process mock
{
    const rt = [
        ['WOO X create_listen_key, plain', 'round_trip/woox_listen_key/plain'],
        ['WOO X create_listen_key, TLS', 'round_trip/woox_listen_key/tls'],
        ['BingX extend_listen_key, plain', 'round_trip/bingx_extend/plain'],
    ];
    for (const [what, name] of rt) {
        const b = bench(name);
        row('3 one call', `${what}: p50 (p99)`, b ? `${fmt(b.sdk_p50_us, 'µs')} (${fmt(b.sdk_p99_us)})` : 'n/a',
            b ? `bare Beast ${fmt(b.bare_p50_us, 'µs')} (${fmt(b.bare_p99_us)})` : 'n/a', x(b?.p50_ratio), 'p50 <= 1.05x bare', ok(b?.p50_ratio, (r) => r <= 1.05));
    }
    for (const [what, name] of rt) {
        const b = bench(name);
        row('3 one call', `${what}: SDK's own work (client-thread CPU, SDK - bare)`, fmt(b?.sdk_work_cpu_us, 'µs'),
            b ? `bare ${fmt(b.bare_cpu_us, 'µs')}; SDK ${fmt(b.sdk_cpu_us, 'µs')} (sys ${fmt(b.bare_sys_us)} / ${fmt(b.sdk_sys_us)})` : 'n/a',
            x(b?.sdk_cpu_us / b?.bare_cpu_us), '< 2 µs', ok(b?.sdk_work_cpu_us, (v) => v < 2));
        const r = b?.sdk_cpu_us / b?.bare_cpu_us;
        row('3 one call', `${what}: client-thread CPU per call (user+sys), SDK vs bare`, fmt(b?.sdk_cpu_us, 'µs'),
            b ? `bare Beast ${fmt(b.bare_cpu_us, 'µs')}` : 'n/a', x(r), '<= 1.1x bare', ok(r, (q) => q <= 1.1));
    }
    const d = bench('round_trip/woox_listen_key/plain');
    if (d?.deadline_p50_us !== undefined) {
        row('3 one call', 'of which per-I/O deadlines (bare + exsdk with_deadline on write and read, - bare): CPU / p50',
            `${fmt(d.deadline_cpu_us - d.bare_cpu_us, 'µs')} / ${fmt(d.deadline_p50_us - d.bare_p50_us, 'µs')}`,
            `bare + deadline p50 ${fmt(d.deadline_p50_us, 'µs')}`, x(d.deadline_p50_us / d.bare_p50_us));
    }
    if (d?.message_p50_us !== undefined) {
        row('3 one call', 'of which the request as a Beast message (bare + http::request built and serialised per call, - bare): CPU / p50',
            `${fmt(d.message_cpu_us - d.bare_cpu_us, 'µs')} / ${fmt(d.message_p50_us - d.bare_p50_us, 'µs')}`,
            `bare + message p50 ${fmt(d.message_p50_us, 'µs')}`, x(d.message_p50_us / d.bare_p50_us));
    }
    const pl = cpuNs(bench('parse/woox_listen_key')), pc = cpuNs(bench('parse/woox_credentials')), pb = cpuNs(bench('parse/bingx_generate'));
    row('3 one call', 'of which parsing the answer to a typed result (sans-io): WOO X listenKey / credentials / BingX generate',
        `${fmt(pl / 1e3, 'µs')} / ${fmt(pc / 1e3, 'µs')} / ${fmt(pb / 1e3, 'µs')}`, 'boost::json DOM parse + field extraction', '');
}

// 3. What logging costs: the same call through three clients, interleaved (issue 10)
{
    const l = bench('logging/woox_listen_key/plain');
    row('3 one call', 'logging: WOO X create_listen_key, plain, client-thread CPU: no sink (off) vs a sink discarding every event (debug)',
        l ? `off ${fmt(l.off_cpu_us, 'µs')}` : 'n/a',
        l ? `silent sink ${fmt(l.silent_cpu_us, 'µs')} (${fmt(l.events_per_call)} events/call); formatting sink ${fmt(l.format_cpu_us, 'µs')}` : 'n/a',
        x(l?.silent_cpu_us / l?.off_cpu_us), 'off: no measurable cost');
}

// 4. Throughput
for (const [co, mc, th] of [[1, 4, 1], [16, 4, 1], [16, 16, 1], [256, 4, 1], [256, 64, 1], [64, 16, 1], [64, 16, 4]]) {
    const b = bench(`throughput/woox_listen_key/coroutines:${co}/max_connections:${mc}/threads:${th}`);
    row('4 throughput', `${co} coroutine${co > 1 ? 's' : ''}, one client, max_connections ${mc}, ${th} thread${th > 1 ? 's' : ''}: req/s (p99)`,
        b ? `${fmt(b.req_per_s)} (${fmt(b.p99_us, 'µs')})` : 'n/a', b ? `client CPU ${fmt(b.client_cpu_us_per_call, 'µs')}/call` : '', '');
}

// 5. wrk
{
    const wr = [
        ['bingx_extend', 'BingX PUT extend, signed (signature checked)'],
        ['woox_credentials', 'WOO X GET credentials, signed (signature checked)'],
        ['woox_system_info', 'WOO X GET systemInfo (public: no signature)'],
    ];
    for (const [key, what] of wr) {
        const m = wrkSide(key, 'mock'), b = wrkSide(key, 'bare');
        const r = m && b ? m.rps / b.rps : undefined;
        const signed = key !== 'woox_system_info';
        row('5 wrk', `${what}: req/s (p50/p99)`, m ? `${fmt(m.rps)} (${fmt(m.p50_us, 'µs')}/${fmt(m.p99_us)})` : 'skipped',
            b ? `bare Beast server ${fmt(b.rps)} (${fmt(b.p50_us, 'µs')}/${fmt(b.p99_us)})` : 'skipped', x(r),
            signed ? '>= 0.8x bare' : '', signed ? ok(r, (q) => q >= 0.8) : undefined);
    }
}

// 6. Memory
{
    const p = bench('memory/idle_pooled_connection/plain'), t = bench('memory/idle_pooled_connection/tls');
    row('6 memory', 'idle pooled connection, plain (heap, per connection)', bytes(p?.bytes_per_connection), '', '');
    const bt = bench('memory/bare_tls_connection');
    row('6 memory', 'idle pooled connection, TLS (heap, per connection)', bytes(t?.bytes_per_connection),
        bt ? `bare Beast TLS ${bytes(bt.bytes_per_connection)}; with SSL_MODE_RELEASE_BUFFERS ${bytes(bt.bytes_per_connection_release_buffers)}` : '',
        bt ? x(t?.bytes_per_connection / bt.bytes_per_connection) : '');
    for (const [name, what] of [
        ['memory/idle_stream/woox/plain', 'idle WOO X private_stream, plain ws (subscribed)'],
        ['memory/idle_stream/woox/tls', 'idle WOO X private_stream, TLS wss (subscribed)'],
        ['memory/idle_stream/bingx/plain', 'idle BingX account_stream swap, plain ws'],
        ['memory/idle_stream/bingx/tls', 'idle BingX account_stream swap, TLS wss'],
    ]) {
        const s = bench(name);
        if (s && s.supported) row('6 memory', `${what} (heap, per stream)`, bytes(s.bytes_per_stream), '', '');
        else if (s) row('6 memory', `${what} (heap, per stream)`, 'not measured', s.label || 'the mock has no stream endpoint', '');
        else row('6 memory', `${what} (heap, per stream)`, 'n/a', '', '');
    }
    // Long runs (issue 16): flat memory as the calls go on.
    const mib = (v) => (v === undefined ? 'n/a' : `${v.toFixed(1)} MiB`);
    const flat = (r) => ok(r, (q) => q >= 0.9 && q <= 1.1);
    const lm = bench('memory/long_run/mock');
    row('6 memory', `mock_exchange program, resident memory after ${fmt(lm?.calls_1)} / ${fmt(lm?.calls_2)} calls at full speed (half BingX generate, half WOO X create; default journal)`,
        lm ? `${mib(lm.rss_1_mib)} / ${mib(lm.rss_2_mib)}` : 'n/a',
        lm ? `at start ${mib(lm.rss_start_mib)}; ${fmt(lm.calls_per_s)} calls/s; live keys ${fmt(lm.listen_keys_2)}; journal ${fmt(lm.journal_entries_2)} entries, ${mib(lm.journal_mib_2)}` : '',
        x(lm?.ratio), 'within 10%', flat(lm?.ratio));
    const ls = bench('memory/long_run/sdk');
    row('6 memory', `one SDK process (woox + bingx client, 16 coroutines, the four account calls), resident memory after ${fmt(ls?.calls_1)} / ${fmt(ls?.calls_2)} calls`,
        ls ? `${mib(ls.rss_1_mib)} / ${mib(ls.rss_2_mib)}` : 'n/a',
        ls ? `heap ${kib(ls.heap_1_kib)} / ${kib(ls.heap_2_kib)}; ${fmt(ls.calls_per_s)} calls/s` : '',
        x(ls?.ratio), 'within 10%', flat(ls?.ratio));
    const vd = bench('memory/virtual_day');
    row('6 memory', `${fmt(vd?.hours)} virtual hours of a WOO X and a BingX session (each: a key rotation every hour, 1,000 events an hour), embedded mock: heap before / after (after the first hour / at the end)`,
        vd ? `${kib(vd.heap_before_kib)} / ${kib(vd.heap_after_kib)}` : 'n/a',
        vd ? `RSS ${mib(vd.rss_before_mib)} / ${mib(vd.rss_after_mib)}; events ${fmt(vd.woox_events)} / ${fmt(vd.bingx_events)}; rotations ${fmt(vd.woox_rotations)} / ${fmt(vd.bingx_rotations)}` : '',
        x(vd?.heap_after_kib / vd?.heap_before_kib));
}

// 7. exsdk vs the bare client (plain and TLS) and vs ccxt (plain), each in its own process
{
    const sec = '7 own process';
    const have = (c) => clients[c] !== undefined;
    const hasCcxt = have('ccxt');
    const ccxtTxt = (phase, key, f = fmt, unit = 'µs') => (hasCcxt ? `; ccxt ${f(cl('ccxt', phase, key), unit)}` : '; ccxt skipped');
    const p50p99 = (c, phase) => `${fmt(cl(c, phase, 'p50_us'), 'µs')} (${fmt(cl(c, phase, 'p99_us'))})`;
    for (const [tr, sfx] of [['plain', ''], ['TLS', '_tls']]) {
        const E = `exsdk${sfx}`, B = `bare${sfx}`;
        const plain = sfx === '';
        const ccxtP50 = plain ? (hasCcxt ? `; ccxt ${p50p99('ccxt', 'seq')}` : '; ccxt skipped') : '';
        const pr = cl(E, 'seq', 'p50_us') / cl(B, 'seq', 'p50_us');
        row(sec, `sequential, ${tr}: p50 (p99)`, p50p99(E, 'seq'), `bare ${p50p99(B, 'seq')}${ccxtP50}`,
            `exsdk/bare ${x(pr)}`, 'p50 <= 1.05x bare', ok(pr, (r) => r <= 1.05));
        for (const phase of ['seq', 'concurrent']) {
            const e = cl(E, phase, 'cpu_us_per_call'), b = cl(B, phase, 'cpu_us_per_call');
            row(sec, `${phase === 'seq' ? 'sequential' : '16-way'}, ${tr}: client CPU per call (user+sys), warm`, fmt(e, 'µs'),
                `bare ${fmt(b, 'µs')}${plain ? ccxtTxt(phase, 'cpu_us_per_call') : ''}`, `exsdk/bare ${x(e / b)}`,
                '<= 1.1x bare', ok(e / b, (q) => q <= 1.1));
        }
        row(sec, `16-way, ${tr}: p50 (p99)`, p50p99(E, 'concurrent'),
            `bare ${p50p99(B, 'concurrent')}${plain ? (hasCcxt ? `; ccxt ${p50p99('ccxt', 'concurrent')}` : '; ccxt skipped') : ''}`,
            `exsdk/bare ${x(cl(E, 'concurrent', 'p50_us') / cl(B, 'concurrent', 'p50_us'))}`);
        if (!plain) {
            for (const phase of ['seq', 'concurrent']) {
                const e = cl(E, phase, 'rps'), b = cl(B, phase, 'rps');
                row(sec, `${phase === 'seq' ? 'sequential' : '16-way'}, TLS: requests/s`, fmt(e), `bare ${fmt(b)}`, `exsdk/bare ${x(e / b)}`);
            }
        }
        // Cold: the first calls after start-up (exsdk and ccxt connect within them, the bare client before).
        const ec = cl(E, 'cold', 'cpu_us_per_call'), bc = cl(B, 'cold', 'cpu_us_per_call');
        const cc = plain ? cl('ccxt', 'cold', 'cpu_us_per_call') : undefined;
        row(sec, `cold, ${tr}: client CPU per call, the first ${fmt(cl(E, 'cold', 'calls'))} calls after start-up (sequential; exsdk${plain ? ' and ccxt' : ''} connect within them)`,
            fmt(ec, 'µs'), `bare ${fmt(bc, 'µs')}${plain ? (hasCcxt ? `; ccxt ${fmt(cc, 'µs')}` : '; ccxt skipped') : ''}`,
            plain && hasCcxt ? `ccxt/exsdk ${x(cc / ec)}; exsdk/bare ${x(ec / bc)}` : `exsdk/bare ${x(ec / bc)}`);
    }
    // Warm: the sequential figures above, after each client's own warm-up (until flat).
    {
        const wu = (c) => `${c} ${fmt(cl(c, 'warmup', 'calls'))}${clients[c]?.warmup?.some((w) => w.capped) ? ' (capped, still falling)' : ''}`;
        const e = cl('exsdk', 'seq', 'cpu_us_per_call'), c = cl('ccxt', 'seq', 'cpu_us_per_call');
        row(sec, `warm, plain: client CPU per call, sequential, after the warm-up (calls: ${['exsdk', 'bare', 'ccxt'].filter(have).map(wu).join(', ')})`,
            fmt(e, 'µs'),
            `bare ${fmt(cl('bare', 'seq', 'cpu_us_per_call'), 'µs')}${hasCcxt ? `; ccxt ${fmt(c, 'µs')} (its last warm-up block ${fmt(cl('ccxt', 'warmup', 'cpu_us_per_call'), 'µs')}, first ${fmt(cl('ccxt', 'warmup', 'first_block_cpu_us_per_call'), 'µs')})` : '; ccxt skipped'}`,
            hasCcxt ? `ccxt/exsdk ${x(c / e)}` : '');
    }
    // The goals against ccxt (plain, warm).
    row(sec, 'sequential, plain: requests/s', fmt(cl('exsdk', 'seq', 'rps')), `bare ${fmt(cl('bare', 'seq', 'rps'))}${ccxtTxt('seq', 'rps', fmt, '')}`,
        hasCcxt ? `exsdk/ccxt ${x(cl('exsdk', 'seq', 'rps') / cl('ccxt', 'seq', 'rps'))}` : '');
    for (const phase of ['seq', 'concurrent']) {
        const e = cl('exsdk', phase, 'cpu_us_per_call'), c = cl('ccxt', phase, 'cpu_us_per_call');
        const r = c / e;
        row(sec, `${phase === 'seq' ? 'sequential' : '16-way'}, plain: client CPU per call, ccxt vs exsdk, warm`, fmt(e, 'µs'),
            hasCcxt ? `ccxt ${fmt(c, 'µs')}` : 'ccxt skipped',
            hasCcxt ? `ccxt/exsdk ${x(r)}` : '', '>= 20x less than ccxt', hasCcxt ? ok(r, (q) => q >= 20) : undefined);
    }
    const er = cl('exsdk', 'concurrent', 'rps'), cr = cl('ccxt', 'concurrent', 'rps');
    row(sec, '16-way, plain: requests/s', fmt(er), `bare ${fmt(cl('bare', 'concurrent', 'rps'))}${ccxtTxt('concurrent', 'rps', fmt, '')}`,
        hasCcxt ? `exsdk/ccxt ${x(er / cr)}` : '', '>= 3x ccxt', hasCcxt ? ok(er / cr, (q) => q >= 3) : undefined);
    row(sec, 'peak memory of the client process (VmHWM), plain', kib(cl('exsdk', 'process', 'peak_rss_kib')),
        `bare ${kib(cl('bare', 'process', 'peak_rss_kib'))}${hasCcxt ? `; ccxt ${kib(cl('ccxt', 'process', 'peak_rss_kib'))}` : '; ccxt skipped'}`, '');
    row(sec, 'peak memory of the client process (VmHWM), TLS', kib(cl('exsdk_tls', 'process', 'peak_rss_kib')),
        `bare ${kib(cl('bare_tls', 'process', 'peak_rss_kib'))}`, '');
}

// 8. Limits shared through Redis (redis_limit_store against a redis-server on loopback)
{
    for (const [limits, what] of [[1, 'one limit (as a WOO X call)'], [3, 'three limits (as a BingX call)']]) {
        const b = bench(`redis/acquire/${limits}`);
        row('8 redis', `acquire() through Redis, ${what}, slot free: p50 (p99)`,
            b ? `${fmt(b.redis_p50_us, 'µs')} (${fmt(b.redis_p99_us)})` : 'skipped',
            b ? `PING, same connection ${fmt(b.ping_p50_us, 'µs')} (${fmt(b.ping_p99_us)}); in-process acquire ${fmt(b.local_p50_us * 1e3, 'ns')}` : '',
            x(b?.p50_ratio), 'p50 <= 1.3x PING', ok(b?.p50_ratio, (r) => r <= 1.3));
        row('8 redis', `acquire() through Redis, ${what}: client-thread CPU per call`, fmt(b?.redis_cpu_us, 'µs'),
            b ? `PING ${fmt(b.ping_cpu_us, 'µs')}; in-process acquire ${fmt(b.local_cpu_us * 1e3, 'ns')}` : '', x(b?.redis_cpu_us / b?.ping_cpu_us));
    }
    const a = bench('redis/concurrent/coroutines:256/ping:0'), p = bench('redis/concurrent/coroutines:256/ping:1');
    row('8 redis', '256 coroutines acquiring at once through one store (pipelined): acquires/s (p99)',
        a ? `${fmt(a.per_s)} (${fmt(a.p99_us, 'µs')})` : 'skipped',
        p ? `256 coroutines sending PING the same way ${fmt(p.per_s)}/s (${fmt(p.p99_us, 'µs')}); client CPU ${fmt(a?.client_cpu_us_per_call, 'µs')}/acquire` : '',
        x(a?.per_s / p?.per_s));
}

// 9. Exact counts per call (benchmarks/profile: valgrind and strace, plain, concurrency 1)
{
    const sec = '9 exact counts';
    const e = profile.exsdk, b = profile.bare;
    const have = e !== undefined && b !== undefined;
    const how = have ? ` (difference of two runs, over ${fmt(e.calls)} calls)` : '';
    const counted = (key, what, goal, test, digits) => {
        const ev = e?.[key], bv = b?.[key];
        const f = (v) => (v === undefined ? 'n/a' : v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }));
        const own = goal ? '' : `; exsdk - bare ${have ? f(ev - bv) : 'n/a'}`;
        row(sec, `${what}${how}`, have ? f(ev) : 'skipped', have ? `bare ${f(bv)}${own}` : 'skipped (no benchmarks/profile run)',
            have ? (goal ? `exsdk - bare ${(ev - bv).toFixed(2)}` : x(ev / bv)) : '', goal,
            have && goal ? ok(ev - bv, test) : undefined);
    };
    counted('instructions_per_call', 'user-space instructions per call (callgrind)', '', undefined, 0);
    counted('allocations_per_call', 'heap allocations per call (memcheck)', 'no more than bare', (d) => d <= 0.05, 2);
    counted('syscalls_per_call', 'system calls per call (strace -c)', 'same as bare', (d) => d <= 0.1, 2);
}

// --- output ----------------------------------------------------------------------------------
const header = ['#', 'measurement', 'exsdk', 'reference (same run)', 'ratio', 'goal', 'met'];
const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
for (const r of rows) lines.push(`| ${[r.section, r.what, r.exsdk, r.reference, r.ratio, r.goal, r.met].join(' | ')} |`);
const table = lines.join('\n');

const ccxtVersion = clients.ccxt?.process?.[0]?.ccxt_version;
const head = [
    `Machine: ${machine.cpu_model}, ${machine.cores} cores; load average ${machine.load_before} before, ${machine.load_after} after`,
    `Build: ${machine.build_type} (preset ${machine.preset}), ${machine.compiler}; commit ${machine.commit}; ${machine.date}`,
    `Tools: ${machine.wrk || 'wrk n/a'}, Node ${machine.node || 'n/a'}, ccxt ${ccxtVersion ?? 'n/a'}`,
];
if (machine.smoke) head.push('SMOKE RUN: every benchmark ran briefly to prove it works; the figures are not meaningful.');
for (const s of machine.skipped) head.push(`Skipped: ${s}`);
for (const b of machine.broken) head.push(`BROKEN: ${b}`);

const md = ['# exsdk benchmark results', '', ...head.map((h) => `- ${h}`), '', table, ''].join('\n');
writeFileSync(join(res, 'latest.md'), md);
writeFileSync(join(res, 'latest.json'), JSON.stringify({ machine, rows, clients, wrk, profile, benchmarks: gb }, null, 2) + '\n');
console.log(head.join('\n') + '\n');
console.log(table);
console.log(`\n(written to ${join(res, 'latest.md')} and latest.json)`);
