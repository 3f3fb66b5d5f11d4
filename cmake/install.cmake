# Installs the engine as a CMake package: find_package(ecomm) gives ecomm::engine
# (and ecomm::wal and ecomm::base, which it links).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(ECOMM_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/ecomm)

install(TARGETS ecomm_engine ecomm_wal ecomm_base EXPORT ecommTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY base/include/ecomm engine/include/ecomm wal/include/ecomm
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT ecommTargets NAMESPACE ecomm:: DESTINATION ${ECOMM_CMAKE_DIR})

configure_package_config_file(cmake/ecommConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/ecommConfig.cmake
  INSTALL_DESTINATION ${ECOMM_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/ecommConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${CMAKE_CURRENT_BINARY_DIR}/ecommConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/ecommConfigVersion.cmake
  DESTINATION ${ECOMM_CMAKE_DIR})
