// Built against the installed exsdk: a WOO X listen key from the embedded mock exchange.
#include <exsdk/mock/server.hpp>
#include <exsdk/woox/client.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <iostream>

int main() {
    exsdk::mock::threaded_server mock(exsdk::mock::config{});
    boost::asio::io_context ioc;
    exsdk::woox::config cfg;
    cfg.base_url = mock.base_url();
    cfg.credentials = {"AbmyVJGUpN064ks5ELjLfA==", exsdk::secret("QHKRXHPAW1MC9YGZMAT8YDJG2HPR")};
    exsdk::woox::client client(ioc.get_executor(), cfg);
    int status = 1;
    boost::asio::co_spawn(
        ioc,
        [&]() -> boost::asio::awaitable<void> {
            auto key = co_await client.create_listen_key();
            if (key) {
                std::cout << "consumer: listen key of " << key->auth_key.size() << " chars\n";
                status = 0;
            } else {
                std::cout << "consumer: " << key.error() << '\n';
            }
        },
        boost::asio::detached);
    ioc.run();
    return status;
}
