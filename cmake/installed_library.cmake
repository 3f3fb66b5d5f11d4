# ecomm_installed_library(NAME SOURCES...): ecomm_NAME, the library find_package(ecomm)
# gives as ecomm::NAME, with the public headers in include/ beside its CMakeLists.
function(ecomm_installed_library name)
  add_library(ecomm_${name} ${ARGN})
  add_library(ecomm::${name} ALIAS ecomm_${name})
  set_target_properties(ecomm_${name} PROPERTIES EXPORT_NAME ${name})
  target_include_directories(ecomm_${name} PUBLIC
    $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:include>)
endfunction()

