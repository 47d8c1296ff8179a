// `pledgebooth kiosk` and `hash-pin`: the booth itself.
#include "commands.h"

namespace pb::app {
void add_kiosk_commands(CLI::App&, AppContext&) {}
}  // namespace pb::app
