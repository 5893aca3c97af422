//! Bar charts as SVG drawn on the server: no script, no CDN, shades that survive a black-and-white
//! printer, every bar labelled with its value, and a title and description for screen readers.

use std::fmt::Write;

/// A named series of values, one per category.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub values: Vec<f64>,
}

/// A bar chart: categories along one axis, one bar per series in each (side by side, or stacked).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Chart {
    /// The element id, unique in the page (the title and description hang off it).
    pub id: String,
    pub title: String,
    /// What the chart shows, in words, for those who cannot see it.
    pub description: String,
    pub categories: Vec<String>,
    pub series: Vec<Series>,
    /// Bars run left to right with the categories down the side (long names, rankings).
    pub horizontal: bool,
    pub stacked: bool,
}

/// Fills from dark to light with a stroke, so neighbouring series differ in print too.
const FILLS: [&str; 6] = ["#1f4e79", "#c0504d", "#9bbb59", "#f2c314", "#7f7f7f", "#4bacc6"];

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

impl Chart {
    /// The largest bar (or stack), at least 1 so an empty chart still draws its axes.
    fn top(&self) -> f64 {
        let per_category = (0..self.categories.len()).map(|i| {
            let values = self.series.iter().map(|s| s.values.get(i).copied().unwrap_or(0.0).max(0.0));
            if self.stacked { values.sum::<f64>() } else { values.fold(0.0, f64::max) }
        });
        per_category.fold(1.0, f64::max)
    }

    /// The chart as an `<svg>` element; `label` writes a value as the page's language does.
    pub fn svg(&self, label: &dyn Fn(f64) -> String) -> String {
        let id = escape(&self.id);
        let n = self.categories.len().max(1);
        let groups = if self.stacked { 1 } else { self.series.len().max(1) };
        let top = self.top();
        let (width, height, axis) = if self.horizontal { (640.0, 40.0 + 28.0 * (n * groups) as f64, 220.0) } else { (640.0, 300.0, 40.0) };
        let mut s = String::new();
        let _ = write!(
            s,
            r#"<svg id="{id}" class="chart" role="img" aria-labelledby="{id}-title {id}-desc" viewBox="0 0 {width} {height}" width="100%" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
            escape(&self.title),
            escape(&self.description)
        );
        let bar = |s: &mut String, x: f64, y: f64, w: f64, h: f64, fill: usize, tip: String| {
            let _ = write!(s, r##"<rect x="{x:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" fill="{}" stroke="#000" stroke-width="0.5"><title>{}</title></rect>"##, w.max(0.0), h.max(0.0), FILLS[fill % FILLS.len()], escape(&tip));
        };
        let text = |s: &mut String, x: f64, y: f64, anchor: &str, t: &str| {
            let _ = write!(s, r#"<text x="{x:.1}" y="{y:.1}" text-anchor="{anchor}" font-size="12" font-family="Times New Roman, serif">{}</text>"#, escape(t));
        };
        if self.horizontal {
            let span = width - axis - 60.0;
            let row = 28.0;
            let mut y = 10.0;
            for (i, category) in self.categories.iter().enumerate() {
                text(&mut s, axis - 6.0, y + row * groups as f64 / 2.0 + 4.0, "end", category);
                let mut x = axis;
                for (k, series) in self.series.iter().enumerate() {
                    let v = series.values.get(i).copied().unwrap_or(0.0).max(0.0);
                    let w = span * v / top;
                    let y_bar = if self.stacked { y } else { y + row * k as f64 };
                    let x_bar = if self.stacked { x } else { axis };
                    bar(&mut s, x_bar, y_bar + 3.0, w, row - 6.0, k, format!("{category} – {}: {}", series.name, label(v)));
                    if !self.stacked || k + 1 == self.series.len() {
                        let end = if self.stacked { x + w } else { axis + w };
                        let shown = if self.stacked { self.series.iter().map(|s| s.values.get(i).copied().unwrap_or(0.0)).sum() } else { v };
                        text(&mut s, end + 4.0, y_bar + row / 2.0 + 4.0, "start", &label(shown));
                    }
                    x += w;
                }
                y += row * groups as f64;
            }
            let _ = write!(s, r##"<line x1="{axis}" y1="6" x2="{axis}" y2="{:.1}" stroke="#000"/>"##, y);
        } else {
            let base = height - 60.0;
            let span = base - 20.0;
            let slot = (width - axis - 10.0) / n as f64;
            let w = (slot * 0.8) / groups as f64;
            for (i, category) in self.categories.iter().enumerate() {
                let x0 = axis + slot * i as f64 + slot * 0.1;
                let mut stack = 0.0;
                for (k, series) in self.series.iter().enumerate() {
                    let v = series.values.get(i).copied().unwrap_or(0.0).max(0.0);
                    let h = span * v / top;
                    let x = if self.stacked { x0 } else { x0 + w * k as f64 };
                    let y = base - h - if self.stacked { stack } else { 0.0 };
                    bar(&mut s, x, y, w, h, k, format!("{category} – {}: {}", series.name, label(v)));
                    if !self.stacked && v > 0.0 {
                        text(&mut s, x + w / 2.0, y - 3.0, "middle", &label(v));
                    }
                    stack += h;
                }
                if self.stacked {
                    let total: f64 = self.series.iter().map(|s| s.values.get(i).copied().unwrap_or(0.0)).sum();
                    text(&mut s, x0 + w / 2.0, base - stack - 3.0, "middle", &label(total));
                }
                text(&mut s, x0 + slot * 0.4, base + 16.0, "middle", category);
            }
            let _ = write!(s, r##"<line x1="{axis}" y1="{base}" x2="{:.1}" y2="{base}" stroke="#000"/>"##, width - 10.0);
        }
        // The legend, when there is more than one series.
        if self.series.len() > 1 {
            let mut x = 10.0;
            for (k, series) in self.series.iter().enumerate() {
                bar(&mut s, x, height - 22.0, 12.0, 12.0, k, series.name.clone());
                text(&mut s, x + 16.0, height - 12.0, "start", &series.name);
                x += 20.0 + 7.0 * series.name.chars().count() as f64;
            }
        }
        s.push_str("</svg>");
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_labelled_titled_and_escaped() {
        let chart = Chart {
            id: "c1".into(),
            title: "Văn bản đến & đã xử lý".into(),
            description: "Tháng 1: 10 đến, 6 đã xử lý".into(),
            categories: vec!["T1".into(), "T2".into()],
            series: vec![Series { name: "Đến".into(), values: vec![10.0, 4.0] }, Series { name: "Đã xử lý".into(), values: vec![6.0, 4.0] }],
            horizontal: false,
            stacked: false,
        };
        let svg = chart.svg(&|v| format!("{v:.0}"));
        assert!(svg.starts_with("<svg id=\"c1\"") && svg.ends_with("</svg>"));
        assert!(svg.contains("<title id=\"c1-title\">Văn bản đến &amp; đã xử lý</title>"));
        assert!(svg.contains("aria-labelledby=\"c1-title c1-desc\""));
        assert_eq!(svg.matches("<rect").count(), 4 + 2, "four bars and two legend keys");
        assert!(svg.contains("<title>T1 – Đến: 10</title>"));
        assert!(!svg.contains("<script"));
        // Stacked and horizontal: one total per category.
        let stacked = Chart { horizontal: true, stacked: true, ..chart.clone() };
        let svg = stacked.svg(&|v| format!("{v:.0}"));
        assert!(svg.contains(">16</text>") && svg.contains(">8</text>"), "{svg}");
        // Nothing to show still draws.
        let empty = Chart { categories: vec![], series: vec![], ..chart };
        assert!(empty.svg(&|v| v.to_string()).contains("</svg>"));
    }
}
