// `pledgebooth stats|export|delete|doctor`: the ledger from the command line.
#include "commands.h"

namespace pb::app {
void add_store_commands(CLI::App&, AppContext&) {}
}  // namespace pb::app
