// `pledgebooth upload`: drain the outbox now.
#include "commands.h"

namespace pb::app {
void add_upload_commands(CLI::App&, AppContext&) {}
}  // namespace pb::app
