// Template rendering.
#include "http/views.h"

#include <stdexcept>

#include "core/strings.h"
#include "http/assets.h"
#include "http/request_helpers.h"

namespace wenku::http {

namespace {

std::string template_text(const std::string& name) {
  auto a = asset("templates/" + name + ".html");
  if (!a) throw std::logic_error("missing template " + name);
  return std::string(*a);
}

const std::map<std::string, std::string>& partials() {
  static const std::map<std::string, std::string> p = {{"card", template_text("card")},
                                                       {"pager", template_text("pager")}};
  return p;
}

}  // namespace

std::string Views::page(const std::string& name, mstch::map context, const Frame& frame, const Visitor& v,
                        const std::string& origin) const {
  SiteConfig cfg = site_.config();
  context["t"] = site_.strings(v.lang);
  context["site"] = mstch::map{{"site_name", cfg.site_name},
                               {"footer_text", cfg.footer_text},
                               {"copyright", cfg.copyright},
                               {"icp", cfg.icp}};
  context["csrf"] = v.csrf;
  if (v.user) {
    context["user"] = mstch::map{{"name", v.user->name}};
    context["staff"] = v.is_staff();
  } else {
    context["user"] = false;
  }
  std::string body = mstch::render(template_text(name), context, partials());
  mstch::map layout = context;
  layout["body"] = body;  // already escaped by its own template; emitted with {{{body}}}
  layout["page_title"] = frame.title;
  layout["meta_description"] = utf8_prefix(frame.description, 160);
  layout["canonical"] = frame.canonical.empty() ? std::string() : origin + frame.canonical;
  layout["og_image"] = frame.og_image.empty() ? std::string() : origin + frame.og_image;
  layout["og_type"] = frame.og_type;
  layout["noindex"] = frame.noindex;
  layout["q"] = frame.q;
  layout["here"] = url_encode(frame.here);
  layout["desktop"] = v.desktop;
  return mstch::render(template_text("layout"), layout);
}

}  // namespace wenku::http
