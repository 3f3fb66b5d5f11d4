#include "docs_files.h"

#include <array>

// The files are assembled into .rodata whole, byte for byte (.incbin); the build gives
// their paths (server/CMakeLists.txt) and rebuilds this file when one changes. Each is
// followed by its end label, so its size needs no separate constant.
#define ECOMM_EMBED(name, path)       \
  asm(".pushsection .rodata, \"a\"\n" \
      ".global " #name                \
      "_begin\n"                      \
      ".hidden " #name                \
      "_begin\n"                      \
      ".global " #name                \
      "_end\n"                        \
      ".hidden " #name "_end\n" #name \
      "_begin:\n"                     \
      ".incbin \"" path "\"\n" #name  \
      "_end:\n"                       \
      ".popsection\n");               \
  extern "C" const char name##_begin[], name##_end[]

ECOMM_EMBED(ecomm_docs_index, ECOMM_DOCS_INDEX_HTML);
ECOMM_EMBED(ecomm_docs_start, ECOMM_DOCS_START_JS);
ECOMM_EMBED(ecomm_docs_bundle, ECOMM_SWAGGER_UI_BUNDLE_JS);
ECOMM_EMBED(ecomm_docs_css, ECOMM_SWAGGER_UI_CSS);

namespace ecomm::server {

namespace {

struct NamedFile {
  std::string_view name;
  const char* begin;
  const char* end;
  std::string_view content_type;
};

}  // namespace

std::optional<DocsFile> FindDocsFile(std::string_view name) {
  static const std::array<NamedFile, 4> kFiles = {{
      {"", ecomm_docs_index_begin, ecomm_docs_index_end, "text/html; charset=utf-8"},
      {"start.js", ecomm_docs_start_begin, ecomm_docs_start_end, "text/javascript"},
      {"swagger-ui-bundle.js", ecomm_docs_bundle_begin, ecomm_docs_bundle_end, "text/javascript"},
      {"swagger-ui.css", ecomm_docs_css_begin, ecomm_docs_css_end, "text/css"},
  }};
  for (const NamedFile& file : kFiles) {
    if (file.name == name) {
      return DocsFile{std::string_view(file.begin, static_cast<size_t>(file.end - file.begin)),
                      file.content_type};
    }
  }
  return std::nullopt;
}

}  // namespace ecomm::server
