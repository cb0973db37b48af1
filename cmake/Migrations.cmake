# Embeds migrations/<dialect>/NNNN_name.sql into the binary (one generated source).
file(GLOB MIGRATION_FILES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/migrations/*/*.sql)
set(MIGRATIONS_CPP ${CMAKE_BINARY_DIR}/generated/migrations.cpp)
add_custom_command(
  OUTPUT ${MIGRATIONS_CPP}
  COMMAND ${CMAKE_COMMAND} -DSRC_DIR=${CMAKE_SOURCE_DIR}/migrations -DOUT=${MIGRATIONS_CPP}
          -P ${CMAKE_SOURCE_DIR}/cmake/EmbedMigrations.cmake
  DEPENDS ${MIGRATION_FILES} ${CMAKE_SOURCE_DIR}/cmake/EmbedMigrations.cmake
  COMMENT "Embedding SQL migrations"
  VERBATIM)
