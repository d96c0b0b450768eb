"""Every word of a report in Vietnamese (default) and English: one translation table, the catalogue's indicator
names (``indicators.toml``) and the forms' choice labels (activity types, audiences, case statuses …)."""

from __future__ import annotations

from connectors.forms import ACTIVITY_REPORT, CASE_FOLLOWUP, HOUSEHOLD_SURVEY, WORKPLACE_INSPECTION, definition
from warehouse.indicators.survey_counts import NOT_WORKING
from warehouse.infra.settings import LANGUAGES

TEXT: dict[str, tuple[str, str]] = {
    # titles
    "title": ("Báo cáo kết quả thực hiện Chương trình phòng ngừa, giảm thiểu lao động trẻ em {period}",
              "Progress report on the Programme on preventing and reducing child labour, {period}"),
    "system": ("Hệ thống giám sát lao động trẻ em", "Child Labour Monitoring System"),
    "programme": ("Thực hiện Quyết định 782/QĐ-TTg ngày 27/5/2021 của Thủ tướng Chính phủ",
                  "Implementing Decision 782/QĐ-TTg of the Prime Minister, 27 May 2021"),
    "legacy_area": ("địa giới trước 01/7/2025", "boundaries before 1 July 2025"),
    "part_of": ("thuộc {name}", "in {name}"),
    "generated_on": ("Lập ngày {date}", "Produced on {date}"),
    "communes_in_area": ("{n} xã, phường trên địa bàn", "{n} communes in the area"),
    "figures_provisional": ("Số liệu tạm thời, chưa được phê duyệt", "Provisional figures, not approved"),
    "figures_approved": ("Số liệu đã được phê duyệt ngày {date}", "Figures approved on {date}"),
    "figures_reopened": ("Số liệu tạm thời: đã phê duyệt ngày {date}, nhưng số liệu đã thay đổi sau đó; cần phê "
                         "duyệt lại", "Provisional figures: approved on {date}, but the data changed since; to be "
                         "approved again"),
    "cutoff": ("Số liệu tính đến hết ngày {date} (giờ Việt Nam): chỉ các bản nộp đến thời điểm đó",
               "Data cut-off {date} (Vietnam time): only what was submitted by then"),
    # sections
    "summary": ("Tổng hợp", "Summary"),
    "indicators": ("Kết quả thực hiện các chỉ tiêu", "Indicators against targets"),
    "indicator_details": ("Chi tiết từng chỉ tiêu", "Each indicator in detail"),
    "activities": ("Hoạt động truyền thông, tập huấn", "Communication and training activities"),
    "inspections": ("Thanh tra, kiểm tra", "Inspections"),
    "cases": ("Trường hợp được phát hiện, hỗ trợ", "Cases identified and supported"),
    "notes": ("Ghi chú", "Notes"),
    "contents": ("Mục lục", "Contents"),
    "to_contents": ("Về mục lục", "Back to contents"),
    "status_overview": ("Tình trạng các chỉ tiêu", "Status of the indicators"),
    "key_figures": ("Số liệu chính", "Key figures"),
    # programme registers (warehouse.report.programme)
    "programme_registers": ("Thí điểm, mô hình; ngành chịu trách nhiệm; kinh phí",
                            "Pilots and models; responsible sectors; budget"),
    "sheet_programme": ("Thí điểm, ngành, kinh phí", "Pilots, sectors, budget"),
    "programme_comparison": ("So sánh xã thí điểm, mô hình với các xã khác: {name}",
                             "Pilot and model communes against the other communes: {name}"),
    "programme_sites": ("Địa bàn {kind}: {sites}. Nhóm thí điểm: {pilot} xã, phường; các xã khác: {others} xã, phường "
                        "trên địa bàn.", "Sites ({kind}): {sites}. Pilot group: {pilot} communes; others: {others} "
                        "communes of the area."),
    "site_kind_pilot": ("thí điểm", "pilot"),
    "site_kind_model": ("mô hình", "model"),
    "group_pilot": ("Xã thí điểm, mô hình", "Pilot or model communes"),
    "group_others": ("Các xã khác", "Other communes"),
    "comparison_note": ("Tính trên số liệu của từng nhóm xã như các chỉ tiêu đã công bố (ước lượng theo thiết kế mẫu "
                        "khi dàn mẫu bao gồm mọi hộ của ô); chỉ tiêu có mẫu số là dân số tham chiếu không tính được "
                        "cho nhóm xã. Xã, phường mới chỉ gồm một phần địa bàn thí điểm làm số liệu của nhóm là gần "
                        "đúng.", "Measured on each group of communes as the published indicators are (design-based "
                        "estimates where the sample frame covers every household of a cell); indicators over a "
                        "reference population cannot be computed for a group. A new commune that holds only part of "
                        "a pilot site makes its group's figures approximate."),
    "approximate_short": ("gần đúng", "approximate"),
    "fraction": ("Tử số / mẫu số", "Numerator / denominator"),
    "by_sector": ("Chỉ tiêu theo ngành chịu trách nhiệm", "Indicators by responsible sector"),
    "sector": ("Ngành", "Sector"),
    "agency": ("Cơ quan chủ trì", "Lead agency"),
    "part": ("Phần chỉ tiêu", "Part of the indicator"),
    "sector_labour": ("Ngành Lao động - Thương binh và Xã hội", "Labour, invalids and social affairs sector"),
    "sector_education": ("Ngành Giáo dục và Đào tạo", "Education and training sector"),
    "sector_police": ("Ngành Công an", "Police"),
    "sector_agriculture": ("Ngành Nông nghiệp và Phát triển nông thôn", "Agriculture and rural development sector"),
    "sector_industry_trade": ("Ngành Công Thương", "Industry and trade sector"),
    "sector_information": ("Ngành Thông tin và Truyền thông", "Information and communications sector"),
    "sector_youth_union": ("Đoàn Thanh niên", "Youth Union"),
    "sector_cooperatives": ("Liên minh Hợp tác xã", "Cooperative Alliance"),
    "sector_other": ("Cơ quan, tổ chức khác", "Other agencies"),
    "part_all": ("Cả chỉ tiêu", "The whole indicator"),
    "part_community": ("Số liệu tại cộng đồng", "In the community"),
    "part_school": ("Số liệu trong trường học", "In schools"),
    "budget": ("Kinh phí được giao và đã chi năm {year}", "Budget allocated and spent, {year}"),
    "activity_line": ("Nhóm hoạt động", "Activity line"),
    "allocated": ("Được giao (đồng)", "Allocated (đồng)"),
    "spent": ("Đã chi (đồng)", "Spent (đồng)"),
    "share_spent": ("Tỷ lệ đã chi", "Share spent"),
    "unreported": ("Chưa báo cáo số chi (đồng)", "Spending not reported (đồng)"),
    "budget_total": ("Tổng cộng", "Total"),
    "budget_yearly": ("Kinh phí chỉ được ghi theo năm: đây là số liệu cả năm {year}, không riêng {period}.",
                      "Budget lines are yearly only: these are the figures of the whole of {year}, not of {period} "
                      "alone."),
    "budget_note": ("Tỷ lệ đã chi tính trên các dòng kinh phí đã báo cáo số chi.",
                    "The share spent is over the budget lines that reported spending."),
    "line_communication": ("Truyền thông, giáo dục, vận động", "Communication and advocacy"),
    "line_training": ("Đào tạo, tập huấn, nâng cao năng lực", "Training and capacity building"),
    "line_models": ("Xây dựng mô hình, thí điểm", "Models and pilots"),
    "line_inspection": ("Thanh tra, kiểm tra", "Inspection"),
    "line_support": ("Hỗ trợ, can thiệp trẻ em", "Support and intervention for children"),
    "line_monitoring": ("Theo dõi, giám sát, đánh giá, báo cáo", "Monitoring, evaluation and reporting"),
    "line_coordination": ("Chỉ đạo, điều hành, phối hợp", "Direction and coordination"),
    "line_other": ("Hoạt động khác", "Other activities"),
    # sheet names (at most 31 characters)
    "sheet_summary": ("Tổng hợp", "Summary"),
    "sheet_indicators": ("Chỉ tiêu", "Indicators"),
    "sheet_trend": ("Xu hướng", "Trend"),
    "sheet_communes": ("Theo xã", "By commune"),
    "sheet_breakdowns": ("Phân tổ", "Breakdowns"),
    "sheet_activities": ("Hoạt động", "Activities"),
    "sheet_inspections": ("Thanh tra", "Inspections"),
    "sheet_cases": ("Trường hợp", "Cases"),
    "sheet_charts": ("Biểu đồ", "Charts"),
    # column headers
    "code": ("Mã", "Code"),
    "indicator": ("Chỉ tiêu", "Indicator"),
    "source": ("Nguồn số liệu", "Data source"),
    "numerator": ("Tử số", "Numerator"),
    "denominator": ("Mẫu số", "Denominator"),
    "value": ("Kết quả đạt được", "Value"),
    "interval": ("Khoảng tin cậy 95%", "95% interval"),
    "ci_low": ("Cận dưới KTC 95%", "95% interval, low"),
    "ci_high": ("Cận trên KTC 95%", "95% interval, high"),
    "target": ("Chỉ tiêu kế hoạch", "Target"),
    "target_comparator": ("So sánh", "Comparator"),
    "target_value": ("Mức chỉ tiêu", "Target value"),
    "target_year": ("Năm chỉ tiêu", "Target year"),
    "target_source": ("Văn bản giao chỉ tiêu", "Set by"),
    "gap": ("Chênh lệch so với chỉ tiêu", "Gap to target"),
    "status": ("Đánh giá", "Status"),
    "status_explained": ("Giải thích đánh giá", "Why this status"),
    "period": ("Kỳ", "Period"),
    "quarter": ("Quý {q}", "Q{q}"),
    "commune": ("Xã, phường", "Commune"),
    "commune_code": ("Mã xã", "Commune code"),
    "breakdown": ("Phân tổ", "Breakdown"),
    "group": ("Nhóm", "Group"),
    "item": ("Nội dung", "Item"),
    "number": ("Số lượng", "Number"),
    "note": ("Ghi chú", "Note"),
    "trend": ("Diễn biến qua các kỳ", "Trend"),
    "by_commune": ("Theo xã, phường", "By commune"),
    "by_sex": ("Theo giới tính", "By sex"),
    "by_age_band": ("Theo nhóm tuổi", "By age band"),
    "by_work_sector": ("Theo ngành của công việc", "By sector of work"),
    "by_craft_village": ("Theo làng nghề", "By craft village"),
    "sex": ("Giới tính", "Sex"),
    "age_band": ("Nhóm tuổi", "Age band"),
    "work_sector": ("Ngành của công việc", "Sector of work"),
    "not_working": ("Không làm việc", "Not working"),
    "craft_village": ("Làng nghề", "Craft village"),
    "craft_village_yes": ("Trong làng nghề", "In a craft village"),
    "craft_village_no": ("Ngoài làng nghề", "Not in a craft village"),
    "age_band_value": ("{low}–{high} tuổi", "aged {low}–{high}"),
    "unknown": ("Không rõ", "Unknown"),
    "target_line": ("Chỉ tiêu", "Target"),
    "chart_value_vs_target": ("Kết quả so với chỉ tiêu", "Value against target"),
    "chart_trend": ("Diễn biến theo năm", "Yearly trend"),
    # statuses
    "status_met": ("Đạt chỉ tiêu", "Target met"),
    "status_cannot_tell": ("Chưa thể kết luận", "Cannot tell yet"),
    "status_on_track": ("Đúng tiến độ", "On track"),
    "status_off_track": ("Chưa đạt", "Off track"),
    "status_no_data": ("Chưa có số liệu", "No data"),
    "status_no_denominator": ("Chưa có mẫu số", "No denominator"),
    "status_suppressed": ("Ẩn (dưới {min_cell})", "Suppressed (under {min_cell})"),
    "status_no_target": ("Chưa giao chỉ tiêu", "No target"),
    "suppressed": ("Ẩn", "Suppressed"),
    "unreliable": ("Kém tin cậy", "Unreliable"),
    # each status in one sentence (Formatter.explain)
    "why_met": ("Đạt chỉ tiêu: kết quả {value} đạt mức {target}.", "Target met: the value {value} meets {target}."),
    "why_met_interval": ("Đạt chỉ tiêu: toàn bộ khoảng tin cậy 95% ({low}–{high}) đạt mức {target}.",
                         "Target met: the whole 95% interval ({low}–{high}) meets {target}."),
    "why_cannot_tell": ("Chưa thể kết luận: khoảng tin cậy 95% ({low}–{high}) chứa chỉ tiêu {target_value}.",
                        "Cannot tell yet: the 95% interval ({low}–{high}) contains the target {target_value}."),
    "why_not_met": ("Chưa đạt: kết quả {value} không đạt mức {target}.",
                    "Not met: the value {value} does not meet {target}."),
    "why_not_met_interval": ("Chưa đạt: toàn bộ khoảng tin cậy 95% ({low}–{high}) nằm ngoài mức {target}.",
                             "Not met: the whole 95% interval ({low}–{high}) lies outside {target}."),
    "why_on_track": ("Đúng tiến độ: kết quả {value} chưa đạt mức {target} nhưng so với năm trước đã tiến đủ nhanh "
                     "để đạt đúng hạn.",
                     "On track: the value {value} does not meet {target} yet but moved since the year before at "
                     "the pace that meets it on time."),
    "why_off_track": ("Chậm tiến độ: kết quả {value} chưa đạt mức {target} và chưa tiến đủ nhanh so với năm trước "
                      "để đạt đúng hạn.",
                      "Off track: the value {value} does not meet {target} yet and did not move since the year "
                      "before at the pace that meets it on time."),
    "why_on_track_minimise": ("Đúng hướng: kết quả {value} thấp hơn năm trước (chỉ tiêu: {target}).",
                              "On track: the value {value} is lower than the year before (target: {target})."),
    "why_off_track_minimise": ("Chưa đúng hướng: kết quả {value} không thấp hơn năm trước (chỉ tiêu: {target}).",
                               "Off track: the value {value} is not lower than the year before (target: {target})."),
    "why_no_data": ("Chưa có số liệu của địa bàn cho kỳ báo cáo.", "The area has no data for the period."),
    "why_no_denominator": ("Chưa có mẫu số: chưa có dân số tham chiếu của địa bàn cho năm báo cáo.",
                           "No denominator: the area has no reference population for the year."),
    "why_suppressed_small_count": ("Ẩn để bảo vệ trẻ em: số trẻ em quá nhỏ ở một địa bàn nhỏ, có thể nhận ra từng em.",
                                   "Suppressed to protect children: so few children in a small area that they could "
                                   "be recognised."),
    "why_suppressed_complementary": ("Ẩn thêm để bảo vệ trẻ em: nếu công bố, có thể dùng phép trừ để tính ra một "
                                     "ô bị ẩn.",
                                     "Also suppressed to protect children: shown, it would let a suppressed cell be "
                                     "worked out by subtraction."),
    "why_no_target": ("Chưa có chỉ tiêu để so sánh cho địa bàn và năm này.",
                      "No target to compare with for this area and year."),
    "why_unreliable": ("Ước tính kém tin cậy (hệ số biến thiên {cv}, cỡ mẫu {n}): cần thận trọng khi sử dụng.",
                       "Unreliable estimate (coefficient of variation {cv}, sample of {n}): use with caution."),
    "why_unreliable_design": ("Ước tính kém tin cậy (hệ số biến thiên {cv}, cỡ mẫu hiệu dụng {n} theo thiết kế mẫu): "
                              "cần thận trọng khi sử dụng.",
                              "Unreliable estimate (coefficient of variation {cv}, effective sample of {n} under the "
                              "survey design): use with caution."),
    "suppressed_short": ("Ẩn", "Suppr."),
    # comparators and units
    "minimise": ("Giảm tối đa", "Minimise"),
    "days": ("{n} ngày", "{n} days"),
    "points": ("{n} điểm %", "{n} pp"),
    "currency": ("{n} đồng", "VND {n}"),
    # sources
    "source_household_survey": ("Khảo sát hộ gia đình", "Household survey"),
    "source_inspections": ("Thanh tra, kiểm tra", "Inspections"),
    "source_cases": ("Theo dõi trường hợp", "Case follow-up"),
    "source_activities": ("Báo cáo hoạt động", "Activity reports"),
    "source_activities_inspections": ("Báo cáo hoạt động và thanh tra", "Activity reports and inspections"),
    # activities
    "activities_held": ("Số hoạt động đã tổ chức", "Activities held"),
    "trainings_held": ("Trong đó: lớp tập huấn", "of which training courses"),
    "participants": ("Lượt người tham dự", "Participants (attendances)"),
    "participants_male": ("Nam", "Male"),
    "participants_female": ("Nữ", "Female"),
    "participants_sex_not_reported": ("Không phân theo giới tính", "Sex not reported"),
    "reached_new": ("Lượt tiếp cận lần đầu trong năm", "Reached for the first time this year"),
    "trained_new": ("Được tập huấn lần đầu trong năm", "Trained for the first time this year"),
    "activity_type": ("Loại hoạt động", "Activity type"),
    "activity_count": ("Số hoạt động", "Activities"),
    "audience": ("Đối tượng", "Audience"),
    "reached": ("Số người (cơ sở) tham dự", "People (establishments) attending"),
    "by_activity_type": ("Theo loại hoạt động", "By activity type"),
    "by_audience": ("Theo đối tượng", "By audience"),
    "participants_by_sex": ("Người tham dự theo giới tính", "Participants by sex"),
    # inspections
    "inspected": ("Số cơ sở được thanh tra, kiểm tra", "Establishments inspected"),
    "found_child_labour": ("Phát hiện sử dụng lao động trẻ em", "Found using child labour"),
    "in_violation": ("Có vi phạm", "In violation"),
    "sanctioned": ("Bị xử phạt (cảnh cáo, phạt tiền)", "Sanctioned (warning, fine)"),
    "fined": ("Bị phạt tiền", "Fined"),
    "fines_total": ("Tổng số tiền phạt", "Fines in total"),
    "young_workers": ("Người lao động dưới 18 tuổi được phát hiện", "Workers under 18 found"),
    "young_child_labourers": ("Trong đó: lao động trẻ em trái quy định",
                              "of whom child labourers (contrary to the law)"),
    "establishment_type": ("Loại hình cơ sở", "Establishment type"),
    "by_establishment_type": ("Theo loại hình cơ sở", "By establishment type"),
    # cases
    "cases_identified": ("Trường hợp được phát hiện trong kỳ", "Cases identified in the period"),
    "cases_supported_in_time": ("Được hỗ trợ, can thiệp kịp thời", "Supported in time"),
    "cases_followed_up": ("Trường hợp được theo dõi trong kỳ", "Cases followed up in the period"),
    "cases_closed": ("Hồ sơ đóng trong kỳ", "Cases closed in the period"),
    "case_type": ("Loại trường hợp", "Case type"),
    "case_status": ("Tình trạng hiện nay", "Current status"),
    "closure_reason": ("Lý do đóng hồ sơ", "Reason for closing"),
    "by_case_type": ("Trường hợp phát hiện trong kỳ theo loại", "Cases identified in the period, by type"),
    "by_case_status": ("Tình trạng hiện nay của các trường hợp phát hiện trong kỳ",
                       "Current status of the cases identified in the period"),
    "by_closure_reason": ("Hồ sơ đóng trong kỳ theo lý do", "Cases closed in the period, by reason"),
    # completeness and timeliness
    "completeness": ("Tình hình gửi báo cáo: đủ, đúng hạn", "Reporting: completeness and timeliness"),
    "sheet_completeness": ("Tình hình báo cáo", "Completeness"),
    "completeness_as_of": ("Tình hình đến ngày {date}. Chỉ tính bản nộp hợp lệ (không tính bản bị cách ly hoặc "
                           "bị từ chối); ngày nhận theo giờ Việt Nam.",
                           "As of {date}. Valid submissions only (quarantined or rejected ones do not count); days "
                           "received in Vietnam time."),
    "no_expected_reporting": ("Chưa có kế hoạch báo cáo của các xã, phường trên địa bàn cho kỳ này.",
                              "No expected reporting is set for the area's communes in this period."),
    "form": ("Biểu mẫu", "Form"),
    "form_activity_report": ("Báo cáo hoạt động", "Activity report"),
    "form_household_survey": ("Khảo sát hộ gia đình", "Household survey"),
    "form_workplace_inspection": ("Thanh tra, kiểm tra cơ sở", "Workplace inspection"),
    "expected": ("Số cần nộp", "Expected"),
    "received": ("Đã nhận", "Received"),
    "received_on_time": ("Nhận đúng hạn", "Received on time"),
    "received_late": ("Nhận sau hạn", "Received late"),
    "still_missing": ("Còn thiếu", "Still missing"),
    "deadline": ("Hạn nộp", "Deadline"),
    "completed_on": ("Ngày nhận đủ", "Complete on"),
    "reporting_status": ("Tình trạng", "Status"),
    "reporting_on_time": ("Đúng hạn", "On time"),
    "reporting_late": ("Nộp muộn", "Late"),
    "reporting_missing": ("Chưa nộp đủ", "Missing"),
    "reporting_not_due": ("Chưa đến hạn", "Not due yet"),
    "late_communes": ("Xã, phường nộp muộn", "Communes that reported late"),
    "missing_communes": ("Xã, phường chưa nộp đủ đã quá hạn", "Communes whose reports are overdue"),
    "nobody": ("Không có.", "None."),
    "and_more": ("… và {n} báo cáo khác (xem bảng reporting_completeness)",
                 "… and {n} more (see the reporting_completeness table)"),
    "commune_with_code": ("{name} (mã {code})", "{name} (code {code})"),
    "period_quarter": ("Quý {q}/{year}", "Q{q} {year}"),
    "period_year": ("Năm {year}", "{year}"),
    "period_round": ("Đợt {start}–{end}", "Round {start}–{end}"),
    "late_line": ("{commune}: {form}, {period}, hạn {deadline}, nhận đủ ngày {completed}",
                  "{commune}: {form}, {period}, due {deadline}, complete on {completed}"),
    "missing_line": ("{commune}: {form}, {period}, hạn {deadline}, mới nhận {received}/{expected}",
                     "{commune}: {form}, {period}, due {deadline}, {received} of {expected} received"),
    # notes
    "note_suppression": ("Để bảo vệ trẻ em, số trẻ em dưới {min_cell} ở một xã được ẩn, cùng các ô có thể dùng "
                         "phép trừ để tính ra chúng. Các bảng tóm tắt lấy số trẻ em từ chính các ô chỉ tiêu đã "
                         "công bố; số trẻ em không thuộc ô chỉ tiêu nào chỉ được nêu cho cấp tỉnh. Ô bị ẩn không phải "
                         "là số 0.",
                         "To protect children, counts of children under {min_cell} in a commune are suppressed, with "
                         "the cells that would let them be worked out by subtraction. The summaries take their counts "
                         "of children from the published indicator cells; counts of children that no indicator cell "
                         "holds are shown for provinces only. A suppressed cell is not a zero."),
    "note_no_denominator": ("“Chưa có mẫu số”: chưa có dân số tham chiếu (giáo viên, cha mẹ, cán bộ, doanh nghiệp …) "
                            "của địa bàn cho năm báo cáo; tử số vẫn được nêu khi đủ lớn.",
                            "“No denominator”: the area has no reference population (teachers, caregivers, "
                            "officials, enterprises …) for the year; the numerator is still shown when large enough."),
    "note_interval": ("Chỉ tiêu từ khảo sát hộ gia đình là tỷ lệ mẫu, kèm khoảng tin cậy 95% (Wilson).",
                      "Household-survey indicators are sample proportions with a 95% (Wilson) interval."),
    "note_rule_set": ("Lao động trẻ em được xác định theo Bộ luật Lao động 2019 và Thông tư 09/2020/TT-BLĐTBXH.",
                      "Child labour is classified under the Labour Code 2019 and Circular 09/2020/TT-BLĐTBXH."),
    "note_legacy": ("Địa bàn theo địa giới trước 01/7/2025, tổng hợp từ các xã, phường mới.",
                    "The area within its boundaries before 1 July 2025, built from the new communes."),
    "note_approximate": ("Một số xã, phường mới nằm một phần ngoài địa bàn cũ: số liệu là ước tính gần đúng.",
                         "Some new communes lie partly outside the old area: figures are approximate."),
    "note_gap": ("Chênh lệch = kết quả − chỉ tiêu (điểm phần trăm).", "Gap = value − target (percentage points)."),
    "note_version": ("Danh mục chỉ tiêu phiên bản {version}.", "Indicator catalogue version {version}."),
    "yes": ("Có", "Yes"),
    "no": ("Không", "No"),
    # multi-year review and report by organisation (warehouse/report/review.py, organisations.py)
    "review_title": ("Báo cáo tổng kết thực hiện Chương trình phòng ngừa, giảm thiểu lao động trẻ em giai đoạn "
                     "{first}–{last}",
                     "Review of the Programme on preventing and reducing child labour, {first}–{last}"),
    "organisation_title": ("Báo cáo kết quả hoạt động phòng ngừa, giảm thiểu lao động trẻ em giai đoạn {first}–{last}"
                           " theo đơn vị", "Activities to prevent and reduce child labour by organising body, "
                                           "{first}–{last}"),
    "sheet_indicators_by_year": ("Chỉ tiêu theo năm", "Indicators by year"),
    "sheet_by_organisation": ("Theo đơn vị tổ chức", "By organising body"),
    "year": ("Năm", "Year"),
    "organiser_type": ("Đơn vị chủ trì", "Organiser"),
    "organisation": ("Đoàn thể", "Organisation"),
    "organiser_level": ("Cấp", "Level"),
    "old_district": ("Huyện (trước 01/7/2025)", "District (before 1 July 2025)"),
    "all_units": ("Tất cả đơn vị", "All units"),
    "not_recorded": ("Chưa ghi nhận", "Not recorded"),
    "m_activities": ("Số hoạt động", "Activities"),
    "m_trainings": ("Lớp tập huấn", "Training courses"),
    "m_participants": ("Lượt người tham dự", "Participants"),
    "m_participants_male": ("Nam", "Male"),
    "m_participants_female": ("Nữ", "Female"),
    "m_reached_new": ("Được truyền thông lần đầu trong năm", "Reached for the first time this year"),
    "m_trained_new": ("Được tập huấn lần đầu trong năm", "Trained for the first time this year"),
    "m_campaign_activities": ("Hoạt động thuộc chiến dịch, phong trào", "Campaign or movement activities"),
    "m_contests": ("Hội thi, hội diễn", "Contests and performances"),
    "m_airings": ("Lượt phát sóng, tin, bài", "Airings, articles, posts"),
    "m_copies": ("Số bản tài liệu", "Copies of materials"),
    "m_estimated_reach": ("Ước tính lượt tiếp cận qua phương tiện (không phải số người được truyền thông)",
                          "Estimated reach of media (not people informed)"),
    "m_pledges_signed": ("Bản cam kết đã ký", "Pledges signed"),
    "m_sanctioned_people": ("Cha mẹ, người chăm sóc bị xử phạt", "Parents or caregivers sanctioned"),
    "m_child_consultations": ("Lần lấy ý kiến trẻ em", "Child consultations"),
    "m_supervision_visits": ("Lần kiểm tra, giám sát", "Supervision visits"),
}

# Choice lists whose labels the forms give, and the form that gives them.
CHOICE_FORMS = {
    "activity_type": ACTIVITY_REPORT, "audience": ACTIVITY_REPORT, "organiser_type": ACTIVITY_REPORT,
    "mass_organisation": ACTIVITY_REPORT, "supervisor_level": ACTIVITY_REPORT,
    "establishment_type": WORKPLACE_INSPECTION, "sex": WORKPLACE_INSPECTION,
    "case_type": CASE_FOLLOWUP, "case_status": CASE_FOLLOWUP, "closure_reason": CASE_FOLLOWUP,
    "sector": HOUSEHOLD_SURVEY,
}


class Labels:
    """The words of one language."""

    def __init__(self, language: str = "vi", indicator_names: dict[str, dict] | None = None):
        if language not in LANGUAGES:
            raise ValueError(f"language {language!r}: expected one of {LANGUAGES}")
        self.language = language
        self._index = LANGUAGES.index(language)
        self._names = indicator_names or {}

    def __call__(self, key: str, **values) -> str:
        return TEXT[key][self._index].format(**values)

    def indicator(self, indicator_id: str) -> str:
        return self._names.get(indicator_id, {}).get(self.language, indicator_id)

    def status(self, status: str, min_cell: int) -> str:
        return self(f"status_{status}", min_cell=min_cell)

    def source(self, source: str) -> str:
        return self(f"source_{source}")

    def choice(self, list_name: str, code: str) -> str:
        """A form's label for ``code`` of ``list_name``; the code itself when the form does not have it."""
        if code == "unknown":
            return self("unknown")
        return definition(CHOICE_FORMS[list_name]).choices.get((list_name, code), {}).get(self.language, code)

    def age_band(self, code: str) -> str:
        low, sep, high = code.partition("-")
        return self("age_band_value", low=low, high=high) if sep else self("unknown")

    def work_sector(self, code: str) -> str:
        """A child's sector of work (``warehouse.indicators.survey_counts.NOT_WORKING`` when it does not work)."""
        return self("not_working") if code == NOT_WORKING else self.choice("sector", code)

    def craft_village(self, code: str) -> str:
        return self(f"craft_village_{code}") if code in ("yes", "no") else self("unknown")


def choice_codes(list_name: str) -> list[str]:
    """The codes of ``list_name`` in its form's order."""
    return [name for listed, name in definition(CHOICE_FORMS[list_name]).choices if listed == list_name]
