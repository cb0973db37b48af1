// Precompiled header for the transport layer: the heavy Boost headers, parsed once.
#pragma once
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
