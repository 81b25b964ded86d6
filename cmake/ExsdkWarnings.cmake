# exsdk_target_defaults(<target>): the project's warning set, applied to every target it builds.
function(exsdk_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
    -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough)
  if(EXSDK_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
