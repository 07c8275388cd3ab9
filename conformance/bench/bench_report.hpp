// SPDX-License-Identifier: MIT
// bench_report.hpp: a bench report (the JSON `multisock bench` writes) as Markdown and as an
// HTML page with the call-cost curves drawn as SVG. Both are rendered from the JSON alone, so
// `multisock bench --render bench.json` makes the same pages again.
#pragma once

#include <filesystem>
#include <string>

#include "reports/reports.hpp"

namespace ms::bench {

std::string bench_markdown(const ms::reports::json& report);
std::string bench_html(const ms::reports::json& report);

// DIR/bench.json (unless only_pages), DIR/bench.md, DIR/bench.html.
void write_bench(const ms::reports::json& report, const std::filesystem::path& dir, bool only_pages = false);

}  // namespace ms::bench
