# Fetches the common-password list from the npm registry (pinned by package-lock.json) and
# generates a C++ source holding it, so the policy ships inside the binary.
find_program(NPM npm REQUIRED)
find_program(NODE node REQUIRED)
set(PW_DIR ${CMAKE_BINARY_DIR}/passwords)
set(COMMON_PASSWORDS_CPP ${PW_DIR}/common_passwords.cpp)
set(PW_SRC ${CMAKE_SOURCE_DIR}/tools/passwords)
add_custom_command(
  OUTPUT ${COMMON_PASSWORDS_CPP}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${PW_DIR}
  COMMAND ${CMAKE_COMMAND} -E copy ${PW_SRC}/package.json ${PW_SRC}/package-lock.json ${PW_DIR}
  COMMAND ${NPM} ci --prefix ${PW_DIR} --no-audit --no-fund --silent
  COMMAND ${NODE} ${PW_SRC}/generate.js ${PW_DIR}/node_modules ${COMMON_PASSWORDS_CPP}
  DEPENDS ${PW_SRC}/package.json ${PW_SRC}/package-lock.json ${PW_SRC}/generate.js
  COMMENT "Generating the common-password list from npm"
  VERBATIM)
