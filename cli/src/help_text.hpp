// The CLI's help texts, built from the command table (command.hpp): the program's, a command
// prefix's ("exsdk woox listen-key --help") and one command's.
#pragma once

#include "command.hpp"

#include <span>
#include <string>
#include <string_view>

namespace exsdk::cli {

/// Help for the commands of `ex` under `words` (a prefix of their names).
std::string prefix_help(exchange_id ex, std::span<const std::string_view> words);
/// Help for one command: usage, description, its options, global options, output.
std::string command_help(const command& c);

} // namespace exsdk::cli
