// Runs the broker with a resolved configuration until SIGINT or SIGTERM:
// logging, the password file, the listeners and the worker threads.
#pragma once

#include "app/config.hpp"

namespace mqwarden::app {

// Returns the process exit code: 0 after a clean stop, 1 when the broker
// could not start (the reason is logged).
int run_broker(const Config& config);

}  // namespace mqwarden::app
