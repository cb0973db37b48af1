#include "http/problem.hpp"

#include <boost/json.hpp>

namespace vault::http {

int StatusFor(core::Code code) {
  switch (code) {
    case core::Code::kInvalidArgument:
      return 400;
    case core::Code::kUnauthenticated:
      return 401;
    case core::Code::kPermissionDenied:
      return 403;
    case core::Code::kNotFound:
      return 404;
    case core::Code::kAlreadyExists:
      return 409;
    case core::Code::kFailedPrecondition:
      return 409;
    case core::Code::kPayloadTooLarge:
      return 413;
    case core::Code::kUnsupportedMediaType:
      return 415;
    case core::Code::kResourceExhausted:
      return 429;
    case core::Code::kUnavailable:
      return 503;
    case core::Code::kInternal:
      return 500;
  }
  return 500;
}

namespace {
const char* TitleFor(int status) {
  switch (status) {
    case 400:
      return "Invalid request";
    case 401:
      return "Not signed in";
    case 403:
      return "Not allowed";
    case 404:
      return "Not found";
    case 405:
      return "Method not allowed";
    case 409:
      return "Conflict";
    case 413:
      return "Request body too large";
    case 415:
      return "Unsupported media type";
    case 429:
      return "Too many requests";
    case 503:
      return "Service unavailable";
    default:
      return "Internal error";
  }
}

Response ProblemWithStatus(const core::Error& error, int status, const std::string& request_id) {
  std::string code = error.id.empty() ? core::CodeName(error.code) : error.id;
  boost::json::object o;
  o["type"] = "https://atomyx.dev/problems/" + code;
  o["title"] = TitleFor(status);
  o["status"] = status;
  o["detail"] = status == 500
                    ? "an internal error occurred; the request id identifies it in the logs"
                    : error.detail;
  o["code"] = code;
  if (!error.field.empty()) o["field"] = error.field;
  o["request_id"] = request_id;
  Response r = Response::Json(status, boost::json::serialize(o));
  r.content_type = "application/problem+json";
  if (status == 503 || status == 429)
    r.headers.emplace_back("Retry-After",
                           std::to_string(error.retry_after > 0 ? error.retry_after : 1));
  return r;
}

}  // namespace

Response Problem(const core::Error& error, const std::string& request_id) {
  return ProblemWithStatus(error, StatusFor(error.code), request_id);
}

Response MethodNotAllowed(const std::string& path, const std::string& allow,
                          const std::string& request_id) {
  // 405 has no canonical error code of its own: the status is set here, body and header agree.
  Response r = ProblemWithStatus({core::Code::kInvalidArgument, "route.method_not_allowed", "",
                                  "this method is not allowed on " + path + "; allowed: " + allow},
                                 405, request_id);
  r.headers.emplace_back("Allow", allow);
  return r;
}

}  // namespace vault::http
