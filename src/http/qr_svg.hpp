// Renders text (an otpauth URI) as a QR code in SVG, with libqrencode. Thread-safe.
#pragma once

#include <string>

namespace vault::http {

// Returns an SVG document, or an empty string if the text cannot be encoded.
std::string QrSvg(const std::string& text);

}  // namespace vault::http
