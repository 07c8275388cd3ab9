// SPDX-License-Identifier: MIT
// goals.hpp: the performance goals the project sets itself, judged on a bench report: each
// with the figure measured, the bound and whether it is met. A goal whose section was not
// run is left out.
#pragma once

#include "reports/reports.hpp"

namespace ms::bench {

ms::reports::json evaluate_goals(const ms::reports::json& report);

}  // namespace ms::bench
