// HTML views: mustache templates from web/templates (compiled in), escaped by default, each
// page wrapped in the site layout.
#pragma once

#include <mstch/mstch.hpp>

#include <string>

#include "core/settings.h"

namespace wenku::http {

class Views {
 public:
  explicit Views(const Settings& settings) : settings_(settings) {}
  // Renders templates/<name>.html with `context` inside templates/layout.html.
  std::string page(const std::string& name, const std::string& title, mstch::map context) const;

 private:
  const Settings& settings_;
};

}  // namespace wenku::http
