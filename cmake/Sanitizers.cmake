# AddressSanitizer + UndefinedBehaviorSanitizer for the whole build, tests included.
if(POKI_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
  # Every test starts at least one process, and a position-independent binary of this build
  # spent half of its start-up resolving four million relocations (UBSan's check sites and
  # ASan's globals each hold pointers): fixed addresses make each start about twice as quick.
  # Line tables are all a sanitizer report needs, and they keep the binaries and links small.
  add_compile_options(-fno-pie -g1)
  add_link_options(-no-pie)
endif()
