# ourobus_nanopb_generate(<var> <proto>...)
#
# Runs nanopb_generator.py on each proto/<name>.proto (its <name>.options is
# picked up from the same folder) and appends the generated .pb.c files to
# <var>. Headers land in ${CMAKE_BINARY_DIR}/proto, which targets add to their
# include path. C-style names (-C): message Foo -> foo_t, FOO_FIELDS.
find_program(NANOPB_GENERATOR nanopb_generator.py REQUIRED)

function(ourobus_nanopb_generate var)
  set(out_dir ${CMAKE_BINARY_DIR}/proto)
  file(MAKE_DIRECTORY ${out_dir})
  set(srcs ${${var}})
  foreach(proto ${ARGN})
    get_filename_component(name ${proto} NAME_WE)
    get_filename_component(dir ${proto} DIRECTORY)
    if(NOT IS_ABSOLUTE ${dir})
      set(dir ${CMAKE_CURRENT_SOURCE_DIR}/${dir})
    endif()
    set(deps ${dir}/${name}.proto)
    if(EXISTS ${dir}/${name}.options)
      list(APPEND deps ${dir}/${name}.options)
    endif()
    add_custom_command(
      OUTPUT ${out_dir}/${name}.pb.c ${out_dir}/${name}.pb.h
      COMMAND ${NANOPB_GENERATOR} -q -C --error-on-unmatched
              -I ${dir} -D ${out_dir} ${name}.proto
      DEPENDS ${deps}
      WORKING_DIRECTORY ${dir}
      COMMENT "nanopb ${name}.proto"
      VERBATIM)
    list(APPEND srcs ${out_dir}/${name}.pb.c)
  endforeach()
  set(${var} ${srcs} PARENT_SCOPE)
endfunction()
