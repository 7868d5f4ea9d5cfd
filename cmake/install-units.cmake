# Install-time part of the systemd unit install (see CMakeLists.txt): the
# units' ExecStart= names the binary under the prefix given at install time
# (cmake --install --prefix), and -c the configured configuration directory.
# DESTDIR applies as for every other file.
if(IS_ABSOLUTE "${NEWSD_UNIT_BINDIR}")
  set(bindir "${NEWSD_UNIT_BINDIR}")
else()
  set(bindir "${CMAKE_INSTALL_PREFIX}/${NEWSD_UNIT_BINDIR}")
endif()
file(MAKE_DIRECTORY "${NEWSD_UNIT_BUILD_DIR}")
foreach(unit newsd.service newsd@.service)
  file(READ "${NEWSD_UNIT_SOURCE_DIR}/${unit}" text)
  string(REPLACE "=/usr/bin/newsd " "=${bindir}/newsd " text "${text}")
  string(REPLACE " /etc/newsd/" " ${NEWSD_UNIT_CONFDIR}/" text "${text}")
  file(WRITE "${NEWSD_UNIT_BUILD_DIR}/${unit}" "${text}")
  file(INSTALL DESTINATION "${NEWSD_UNITDIR}" TYPE FILE
       PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
       FILES "${NEWSD_UNIT_BUILD_DIR}/${unit}")
endforeach()
