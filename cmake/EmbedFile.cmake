# cmake -P script: writes OUT, a C++ source defining `const std::string& FUNC()` in NAMESPACE
# that returns the contents of IN.
file(READ ${IN} content)
file(WRITE ${OUT}.tmp "// Generated from ${IN}. Do not edit.\n#include <string>\nnamespace ${NAMESPACE} {\nconst std::string& ${FUNC}() {\n  static const std::string kText = R\"EMBED(${content})EMBED\";\n  return kText;\n}\n}\n")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
