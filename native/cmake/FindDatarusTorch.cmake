# Locates libtorch in this order:
#   1. LIBTORCH (env or -D) or Torch_DIR: an explicit installation;
#   2. the torch package of the python3 on PATH (how GPU machines build, against CUDA torch);
#   3. the system package (Debian's libtorch-dev, CPU).
if(NOT Torch_DIR)
  if(DEFINED ENV{LIBTORCH} AND NOT LIBTORCH)
    set(LIBTORCH $ENV{LIBTORCH})
  endif()
  if(LIBTORCH)
    list(PREPEND CMAKE_PREFIX_PATH "${LIBTORCH}")
    message(STATUS "datarus: libtorch from LIBTORCH=${LIBTORCH}")
  else()
    find_program(DATARUS_PYTHON NAMES python3)
    if(DATARUS_PYTHON)
      execute_process(
        COMMAND ${DATARUS_PYTHON} -c "import torch.utils; print(torch.utils.cmake_prefix_path)"
        OUTPUT_VARIABLE _py_torch_prefix OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE _py_rc)
      if(_py_rc EQUAL 0 AND _py_torch_prefix)
        list(PREPEND CMAKE_PREFIX_PATH "${_py_torch_prefix}")
        message(STATUS "datarus: libtorch from ${DATARUS_PYTHON} (${_py_torch_prefix})")
      endif()
    endif()
  endif()
endif()
find_package(Torch REQUIRED)
message(STATUS "datarus: Torch ${Torch_VERSION} at ${Torch_DIR}")
