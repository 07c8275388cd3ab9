// SPDX-License-Identifier: MIT
// report_cmd.cpp: `multisock report merge|diff|html|matrix`.
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/apps.hpp"
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "reports/reports.hpp"

namespace fs = std::filesystem;
namespace rep = ms::reports;

namespace ms::cli {

namespace {

std::vector<rep::json> load_all(const std::vector<std::string>& files) {
  std::vector<rep::json> out;
  for (auto& f : files) out.push_back(rep::load(f));
  return out;
}
}  // namespace

int cmd_report(Args& args) {
  if (args.help()) {
    std::cout << command_help("report");
    return 0;
  }
  ReportOptions options;
  if (const std::string problem = read_report_options(args, options); !problem.empty()) return usage_error(problem);
  const std::string& sub = options.sub;
  const std::vector<std::string>& files = options.files;
  const std::optional<std::string>& out = options.out;
  try {
    if (sub == "merge") {
      rep::json merged = rep::merge(load_all(files), files);
      const fs::path dir = *out;
      rep::write_report_files(merged, dir);
      std::printf("merged %zu reports into %s\n", files.size(), dir.c_str());
      return merged["summary"].value("exit_code", 0) == 0 ? 0 : 1;
    }
    if (sub == "diff") {
      auto d = rep::diff(rep::load(files[0]), rep::load(files[1]));
      std::cout << d.to_text();
      return d.regressed ? 1 : 0;
    }
    if (sub == "html") {
      rep::write_html(load_all(files), *out);
      std::printf("wrote %s\n", out->c_str());
      return 0;
    }
    if (sub == "matrix") {
      std::cout << rep::matrix_markdown(load_all(files));
      return 0;
    }
  } catch (const rep::ReportError& e) {
    std::fprintf(stderr, "multisock: %s\n", e.what());
    return 2;
  }
  return usage_error("unknown report subcommand " + quoted_word(sub));  // read_report_options knows them all
}

}  // namespace ms::cli
