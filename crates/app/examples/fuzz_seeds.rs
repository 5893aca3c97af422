//! Writes starting inputs for the fuzz targets (see fuzz/README.md) into a directory: a member
//! spreadsheet and CSV as the import templates have them, and a transfer package's payload.
//!
//!     cargo run -p thidua-app --example fuzz_seeds -- fuzz/corpus

use jiff::civil::date;
use thidua_app::package::Payload;
use thidua_core::member::{Gap, GapKind, Gender, MemberRecord};
use thidua_core::org::OrgId;
use thidua_core::transfer::TransferKind;
use thidua_office::{Cell, Sheet};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).ok_or("give the corpus directory")?);
    let headers = ["Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Số thẻ đảng viên", "Ngày vào Đảng", "Ngày chính thức", "Tổ chức đảng", "Điện thoại", "Thư điện tử", "Địa chỉ"];
    let rows = [
        ["Nguyễn Văn An", "04/03/1985", "Nam", "079085001234", "", "19/05/2010", "19/05/2011", "Chi bộ Phòng Tổ chức", "0901234567", "an@example.vn", "12 Lê Lợi, Quận 1"],
        ["Trần Thị Bình", "1990-07-21", "Nữ", "", "", "02/09/2015", "", "Chi bộ Phòng Tổ chức", "", "", ""],
    ];
    let sheet = Sheet {
        name: "Dữ liệu".into(),
        title: None,
        headers: headers.iter().map(|h| (*h).into()).collect(),
        widths: vec![],
        rows: rows.iter().map(|r| r.iter().map(|c| if c.is_empty() { Cell::Empty } else { Cell::Text((*c).into()) }).collect()).collect(),
    };
    let table = dir.join("import_table");
    std::fs::create_dir_all(&table)?;
    std::fs::write(table.join("members.xlsx"), thidua_office::xlsx(&[sheet])?)?;
    let csv: String = std::iter::once(headers.join(",")).chain(rows.iter().map(|r| r.join(","))).map(|l| l + "\n").collect();
    std::fs::write(table.join("members.csv"), csv)?;

    let payload = Payload {
        exported_at: "2026-11-20T08:00:00Z".into(),
        sending_org: "Chi bộ Phòng Tổ chức".into(),
        receiving_org: "Đảng ủy phường Bến Thành".into(),
        kind: TransferKind::Official,
        trigger_on: date(2026, 11, 1),
        introduced_on: date(2026, 11, 10),
        letter_number: Some("15-GGT/ĐU".into()),
        late_reason: None,
        member: MemberRecord {
            full_name: "Nguyễn Văn An".into(),
            birth_date: date(1985, 3, 4),
            gender: Gender::Male,
            cccd: None,
            party_card: Some("79012345".into()),
            admitted_on: date(2010, 5, 19),
            official_on: Some(date(2011, 5, 19)),
            org: OrgId(7),
            phone: None,
            email: None,
            address: None,
            seriously_ill: false,
        },
        gaps: vec![Gap { kind: GapKind::LostContact, from: date(2015, 1, 1), to: Some(date(2015, 6, 30)), note: None }],
        positions: vec![],
        badges: vec![],
        history: vec!["2026-11-20T08:00:00Z — admin: tạo hồ sơ".into()],
        files: vec![],
    };
    let packages = dir.join("transfer_package");
    std::fs::create_dir_all(&packages)?;
    std::fs::write(packages.join("payload.json"), serde_json::to_string_pretty(&payload)?)?;
    Ok(())
}
