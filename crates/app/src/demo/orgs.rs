//! Organizations and clusters named in the seeds, and the 2025 reorganization.
//!
//! The registry starts on 01/01/2018, so that the evaluations of 2018 onwards (five years running to
//! 2022, as seed 004 reports) have their units; earlier history is not modelled.

use thidua_core::org::OrgKind::*;

use super::{day, World};
use crate::AppError;

const ILLUSTRATIVE: &str = "Dữ liệu minh họa: tên và ngày chưa được đối chiếu với văn bản chính thức.";
const WARD_NOTE: &str =
    "Phường sau sắp xếp đơn vị hành chính từ 01/7/2025; dữ liệu minh họa, cần đối chiếu nghị quyết sắp xếp.";
const INVENTED: &str = "Đơn vị minh họa (tên tự đặt cho dữ liệu mẫu).";

/// The eleven enterprise party committees of Cụm thi đua 7 (seed 000), with the key, full name and
/// short name; those marked `true` also have a committee office in Cụm thi đua 2 (seed 002).
const ENTERPRISES: [(&str, &str, Option<&str>, bool); 11] = [
    ("satra", "Tổng Công ty Thương mại Sài Gòn", Some("SATRA"), true),
    ("saigontourist", "Tổng Công ty Du lịch Sài Gòn", Some("Saigontourist"), true),
    ("sawaco", "Tổng Công ty Cấp nước Sài Gòn", Some("SAWACO"), false),
    ("benthanh", "Tổng Công ty Bến Thành", None, true),
    ("cns", "Tổng Công ty Công nghiệp Sài Gòn", Some("CNS"), true),
    ("samco", "Tổng Công ty Cơ khí Giao thông vận tải Sài Gòn", Some("Samco"), true),
    ("evnhcmc", "Tổng Công ty Điện lực Thành phố Hồ Chí Minh", Some("EVNHCMC"), false),
    ("coop", "Liên hiệp Hợp tác xã Thương mại Thành phố Hồ Chí Minh", Some("Saigon Co.op"), false),
    ("hfic", "Tổng Công ty Đầu tư Tài chính Nhà nước Thành phố Hồ Chí Minh", Some("HFIC"), true),
    ("resco", "Tổng Công ty Địa ốc Sài Gòn", Some("RESCO"), true),
    ("sapharco", "Công ty TNHH MTV Dược Sài Gòn", Some("Sapharco"), true),
];

/// `(district key, committee name, board name, wards as (key, name))`.
type District = (&'static str, &'static str, &'static str, &'static [(&'static str, &'static str)]);

/// Districts of Cụm thi đua 1 (seed 001) and wards that took over from them on 01/7/2025.
const DISTRICTS: [District; 6] = [
    ("q1", "Quận ủy Quận 1", "Ban Tổ chức Quận ủy Quận 1", &[
        ("p_saigon", "Sài Gòn"), ("p_tandinh", "Tân Định"), ("p_benthanh", "Bến Thành"), ("p_cauonglanh", "Cầu Ông Lãnh"),
    ]),
    ("q3", "Quận ủy Quận 3", "Ban Tổ chức Quận ủy Quận 3", &[
        ("p_banco", "Bàn Cờ"), ("p_xuanhoa", "Xuân Hòa"), ("p_nhieuloc", "Nhiêu Lộc"),
    ]),
    ("q5", "Quận ủy Quận 5", "Ban Tổ chức Quận ủy Quận 5", &[
        ("p_andong", "An Đông"), ("p_choquan", "Chợ Quán"), ("p_cholon", "Chợ Lớn"),
    ]),
    ("q10", "Quận ủy Quận 10", "Ban Tổ chức Quận ủy Quận 10", &[
        ("p_vuonlai", "Vườn Lài"), ("p_dienhong", "Diên Hồng"), ("p_hoahung", "Hòa Hưng"),
    ]),
    ("tanbinh", "Quận ủy quận Tân Bình", "Ban Tổ chức Quận ủy quận Tân Bình", &[
        ("p_tansonnhat", "Tân Sơn Nhất"), ("p_tanbinh", "Tân Bình"), ("p_bayhien", "Bảy Hiền"),
    ]),
    ("thuduc", "Thành ủy thành phố Thủ Đức", "Ban Tổ chức Thành ủy thành phố Thủ Đức", &[
        ("p_thuduc", "Thủ Đức"), ("p_linhxuan", "Linh Xuân"), ("p_hiepbinh", "Hiệp Bình"),
    ]),
];

fn board_key(district: &str) -> String {
    format!("btc_{district}")
}

/// Keys of an enterprise's party committee, organization board and committee office.
fn enterprise_keys(key: &str) -> (String, String, String) {
    (format!("du_{key}"), format!("btc_{key}"), format!("vp_{key}"))
}

pub(super) async fn build(w: &mut World<'_>) -> Result<(), AppError> {
    let start = super::REGISTRY_START;

    // Central level and Cụm thi đua số 6 – Ngành Tổ chức xây dựng Đảng (seed 003).
    w.create("tw", start, CentralCommittee, "Ban Chấp hành Trung ương Đảng", Some("BCH TW"), None).await?;
    w.create("btctw", start, OrganizationBoard, "Ban Tổ chức Trung ương", Some("BTCTW"), Some("tw")).await?;
    w.create("dukdn", start, ProvincialCommittee, "Đảng ủy Khối Doanh nghiệp Trung ương", Some("ĐUKDN"), Some("tw")).await?;
    w.create("btc_dukdn", start, OrganizationBoard, "Ban Tổ chức Đảng ủy Khối Doanh nghiệp Trung ương", None, Some("dukdn")).await?;
    w.create("dukcq", start, ProvincialCommittee, "Đảng ủy Khối các cơ quan Trung ương", None, Some("tw")).await?;
    w.create("btc_dukcq", start, OrganizationBoard, "Ban Tổ chức Đảng ủy Khối các cơ quan Trung ương", None, Some("dukcq")).await?;
    w.create("ducatw", start, ProvincialCommittee, "Đảng ủy Công an Trung ương", None, Some("tw")).await?;
    w.create("cuc_tccb_bca", start, Agency, "Cục Tổ chức cán bộ, Bộ Công an", None, Some("ducatw")).await?;
    w.create("quanuy", start, ProvincialCommittee, "Quân ủy Trung ương", None, Some("tw")).await?;
    w.create("tcct", start, Agency, "Tổng cục Chính trị Quân đội nhân dân Việt Nam", None, Some("quanuy")).await?;
    w.create("cuc_tochuc", start, Agency, "Cục Tổ chức, Tổng cục Chính trị", None, Some("tcct")).await?;
    w.create("cuc_canbo", start, Agency, "Cục Cán bộ, Tổng cục Chính trị", None, Some("tcct")).await?;

    // Ho Chi Minh City and its organs.
    w.create("tu", start, ProvincialCommittee, "Thành ủy Thành phố Hồ Chí Minh", Some("Thành ủy TP.HCM"), Some("tw")).await?;
    w.create("btc_tu", start, OrganizationBoard, "Ban Tổ chức Thành ủy", None, Some("tu")).await?;
    w.create("vp_tu", start, CommitteeOffice, "Văn phòng Thành ủy", None, Some("tu")).await?;
    w.create("tu_binhduong", start, ProvincialCommittee, "Tỉnh ủy Bình Dương", None, Some("tw")).await?;
    w.create("tu_brvt", start, ProvincialCommittee, "Tỉnh ủy Bà Rịa – Vũng Tàu", None, Some("tw")).await?;

    // Districts of Cụm 1 and their organization boards.
    for (key, committee, board, _) in DISTRICTS {
        w.create(key, start, UpperGrassrootsCommittee, committee, None, Some("tu")).await?;
        w.create(&board_key(key), start, OrganizationBoard, board, None, Some(key)).await?;
    }

    // Enterprise party committees of Cụm 7 and Cụm 2.
    for (key, company, short, has_office) in ENTERPRISES {
        let (du, btc, vp) = enterprise_keys(key);
        let short_du = short.map(|s| format!("Đảng ủy {s}"));
        w.create(&du, start, UpperGrassrootsCommittee, &format!("Đảng ủy {company}"), short_du.as_deref(), Some("tu")).await?;
        let short_btc = short.map(|s| format!("BTC Đảng ủy {s}"));
        w.create(&btc, start, OrganizationBoard, &format!("Ban Tổ chức Đảng ủy {company}"), short_btc.as_deref(), Some(&du)).await?;
        if has_office {
            let short_vp = short.map(|s| format!("VP Đảng ủy {s}"));
            w.create(&vp, start, CommitteeOffice, &format!("Văn phòng Đảng ủy {company}"), short_vp.as_deref(), Some(&du)).await?;
        }
    }

    // Đảng ủy Ban Quản lý các Khu Chế xuất và Công nghiệp Thành phố (seed 004). Its organs are named
    // in the seed; its party organizations below are invented.
    w.create("du_bql", start, UpperGrassrootsCommittee, "Đảng ủy Ban Quản lý các Khu Chế xuất và Công nghiệp Thành phố", Some("Đảng ủy Ban Quản lý"), Some("tu")).await?;
    w.create("btc_bql", start, OrganizationBoard, "Ban Tổ chức Đảng ủy Ban Quản lý các Khu Chế xuất và Công nghiệp Thành phố", None, Some("du_bql")).await?;
    w.create("btg_bql", start, PropagandaBoard, "Ban Tuyên giáo Đảng ủy Ban Quản lý các Khu Chế xuất và Công nghiệp Thành phố", None, Some("du_bql")).await?;
    w.create("ubkt_bql", start, InspectionCommission, "Ủy ban Kiểm tra Đảng ủy Ban Quản lý các Khu Chế xuất và Công nghiệp Thành phố", None, Some("du_bql")).await?;
    w.create("vp_bql", start, CommitteeOffice, "Văn phòng Đảng ủy Ban Quản lý các Khu Chế xuất và Công nghiệp Thành phố", None, Some("du_bql")).await?;
    w.create("dbcs_bql", start, GrassrootsCommittee, "Đảng bộ cơ sở Cơ quan Ban Quản lý", None, Some("du_bql")).await?;
    w.create("cb_bql_vp", start, Cell, "Chi bộ Văn phòng Ban Quản lý", None, Some("dbcs_bql")).await?;
    w.create("cb_bql_qldn", start, Cell, "Chi bộ Phòng Quản lý doanh nghiệp", None, Some("dbcs_bql")).await?;
    w.create("cb_bql_dautu", start, Cell, "Chi bộ Phòng Quản lý đầu tư", None, Some("du_bql")).await?;
    w.create("cb_bql_moitruong", start, Cell, "Chi bộ Phòng Quản lý môi trường", None, Some("du_bql")).await?;
    for key in ["dbcs_bql", "cb_bql_vp", "cb_bql_qldn", "cb_bql_dautu", "cb_bql_moitruong"] {
        w.note(key, INVENTED).await?;
    }

    clusters(w).await?;
    reorganization_2025(w).await?;
    Ok(())
}

async fn clusters(w: &mut World<'_>) -> Result<(), AppError> {
    let cum1: Vec<String> = DISTRICTS.iter().map(|(k, ..)| board_key(k)).collect();
    w.cluster(
        "cum1",
        "Cụm thi đua 1 – Ban Tổ chức Thành ủy",
        "btc_tu",
        Some("Ngành Tổ chức xây dựng Đảng"),
        &[(2023, &cum1, Some("btc_q1")), (2024, &cum1, None), (2025, &cum1, None)],
    )
    .await?;

    let cum2: Vec<String> = ENTERPRISES.iter().filter(|e| e.3).map(|(k, ..)| enterprise_keys(k).2).collect();
    w.cluster("cum2", "Cụm thi đua 2 – Văn phòng Thành ủy", "vp_tu", None, &[(2023, &cum2, None), (2024, &cum2, None)]).await?;

    let cum7: Vec<String> = ENTERPRISES.iter().map(|(k, ..)| enterprise_keys(k).1).collect();
    w.cluster(
        "cum7",
        "Cụm thi đua 7 – Ban Tổ chức Thành ủy",
        "btc_tu",
        Some("Ngành Tổ chức xây dựng Đảng"),
        &[(2023, &cum7, Some("btc_satra")), (2024, &cum7, None)],
    )
    .await?;

    let cum6 = ["btc_dukdn", "btc_dukcq", "cuc_tccb_bca", "cuc_tochuc", "cuc_canbo"].map(String::from);
    w.cluster(
        "cum6",
        "Cụm thi đua số 6 – Ngành Tổ chức xây dựng Đảng",
        "btctw",
        Some("Ngành Tổ chức xây dựng Đảng"),
        &[(2023, &cum6, Some("btc_dukdn")), (2024, &cum6, None)],
    )
    .await?;
    Ok(())
}

/// 2025: bloc party committees at the centre dissolved (early in the year), provinces merged and the
/// district level abolished (01/7/2025).
async fn reorganization_2025(w: &mut World<'_>) -> Result<(), AppError> {
    let central = day(2025, 2, 1);
    w.create("dudcqdtw", central, ProvincialCommittee, "Đảng ủy các cơ quan Đảng Trung ương", None, Some("tw")).await?;
    w.create("btc_dudcqdtw", central, OrganizationBoard, "Ban Tổ chức Đảng ủy các cơ quan Đảng Trung ương", None, Some("dudcqdtw")).await?;
    w.create("ducp", central, ProvincialCommittee, "Đảng ủy Chính phủ", None, Some("tw")).await?;
    w.create("btc_ducp", central, OrganizationBoard, "Ban Tổ chức Đảng ủy Chính phủ", None, Some("ducp")).await?;
    let basis = "Sắp xếp tổ chức bộ máy các đảng bộ trực thuộc Trung ương năm 2025 (minh họa)";
    w.merge_into_existing(central, &["btc_dukdn"], "btc_ducp", basis).await?;
    w.merge_into_existing(central, &["dukdn"], "ducp", basis).await?;
    w.merge_into_existing(central, &["btc_dukcq"], "btc_dudcqdtw", basis).await?;
    w.merge_into_existing(central, &["dukcq"], "dudcqdtw", basis).await?;
    for key in ["dudcqdtw", "btc_dudcqdtw", "ducp", "btc_ducp"] {
        w.note(key, ILLUSTRATIVE).await?;
    }

    let july = day(2025, 7, 1);
    w.merge_into_existing(july, &["tu_binhduong", "tu_brvt"], "tu", "Hợp nhất tỉnh Bình Dương, tỉnh Bà Rịa – Vũng Tàu vào Thành phố Hồ Chí Minh từ 01/7/2025").await?;

    // District committees end; ward committees with a party-building board take over their work.
    for (district, _, _, wards) in DISTRICTS {
        let mut ward_keys = Vec::new();
        let mut board_keys = Vec::new();
        for (ward_key, ward) in wards {
            w.create(ward_key, july, GrassrootsCommittee, &format!("Đảng ủy phường {ward}"), None, Some("tu")).await?;
            let bk = format!("xdd_{ward_key}");
            w.create(&bk, july, PartyBuildingBoard, &format!("Ban Xây dựng Đảng Đảng ủy phường {ward}"), None, Some(ward_key)).await?;
            w.note(ward_key, WARD_NOTE).await?;
            w.note(&bk, WARD_NOTE).await?;
            ward_keys.push(ward_key.to_string());
            board_keys.push(bk);
        }
        let basis = "Kết thúc hoạt động của cấp huyện từ 01/7/2025";
        w.split_into_existing(july, &board_key(district), &board_keys, basis).await?;
        w.split_into_existing(july, district, &ward_keys, basis).await?;
    }
    Ok(())
}
