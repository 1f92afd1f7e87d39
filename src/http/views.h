// HTML views: mustache templates from web/templates (compiled in), escaped by default, each
// page wrapped in the site layout with the visitor's language strings and CSRF token.
#pragma once

#include <mstch/mstch.hpp>

#include <string>

#include "http/site.h"

namespace wenku::http {

// What the layout shows around a page: <title>, meta description, canonical URL, OpenGraph.
struct Frame {
  Frame() = default;
  explicit Frame(std::string t) : title(std::move(t)) {}
  std::string title;
  std::string description;  // meta description, plain text
  std::string canonical;    // path, e.g. "/d/12"; made absolute with the Host
  std::string og_image;     // path
  std::string og_type = "website";
  std::string q;            // the search box's text
  std::string here = "/";   // the current path, for the language and layout switches
  bool noindex = false;
};

class Views {
 public:
  explicit Views(Site& site) : site_(site) {}
  // Renders templates/<name>.html with `context` inside templates/layout.html. `origin` is
  // "http://host:port" for absolute canonical and OpenGraph URLs.
  std::string page(const std::string& name, mstch::map context, const Frame& frame, const Visitor& v,
                   const std::string& origin) const;

 private:
  Site& site_;
};

}  // namespace wenku::http
