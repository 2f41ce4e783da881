# Warning and sanitizer flags shared by every mqwarden target, through the
# interface library mqwarden_options.
add_library(mqwarden_options INTERFACE)
target_compile_options(mqwarden_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual
  -Wimplicit-fallthrough -Wcast-qual -Wformat=2)
if(MQWARDEN_WERROR)
  target_compile_options(mqwarden_options INTERFACE -Werror)
endif()

if(MQWARDEN_SANITIZE)
  list(JOIN MQWARDEN_SANITIZE "," sanitizers)
  # Sanitizer reports abort, so a finding fails the test or the fuzz run.
  target_compile_options(mqwarden_options INTERFACE
    -fsanitize=${sanitizers} -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(mqwarden_options INTERFACE -fsanitize=${sanitizers})
  if("thread" IN_LIST MQWARDEN_SANITIZE AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # Boost.Asio uses std::atomic_thread_fence, which ThreadSanitizer does not
    # model; g++ says so with -Wtsan on every use.
    target_compile_options(mqwarden_options INTERFACE -Wno-tsan)
  endif()
endif()
