// `pledgebooth snap`: one composed still through the configured camera.
#include "commands.h"

namespace pb::app {
void add_camera_commands(CLI::App&, AppContext&) {}
}  // namespace pb::app
