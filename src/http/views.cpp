// Template rendering.
#include "http/views.h"

#include <stdexcept>

#include "http/assets.h"

namespace wenku::http {

namespace {

std::string template_text(const std::string& name) {
  auto a = asset("templates/" + name + ".html");
  if (!a) throw std::logic_error("missing template " + name);
  return std::string(*a);
}

}  // namespace

std::string Views::page(const std::string& name, const std::string& title, mstch::map context) const {
  context["site_name"] = settings_.get("site_name");
  context["page_title"] = title;
  std::string body = mstch::render(template_text(name), context);
  mstch::map layout = context;
  layout["body"] = body;  // already escaped by its own template; emitted with {{{body}}}
  return mstch::render(template_text("layout"), layout);
}

}  // namespace wenku::http
