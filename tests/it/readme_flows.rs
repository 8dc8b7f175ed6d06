//! The README's flow-log examples run as written on the logs `samples/flows/` ships: each
//! `flows` command exits 0 with drift in its report, the report shown in the README is the one
//! the first command prints, and the `explore --flows` example opens with the observed traffic.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_zonescope");

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap()
}

/// The arguments of the README's `cargo run --release -- SUBCOMMAND …` lines (comments cut).
fn examples(sub: &str) -> Vec<Vec<String>> {
    let prefix = format!("cargo run --release -- {sub} ");
    readme()
        .lines()
        .filter_map(|l| l.strip_prefix(&prefix))
        .map(|rest| {
            let rest = rest.split("  #").next().unwrap_or(rest);
            std::iter::once(sub.to_string())
                .chain(rest.split_whitespace().map(String::from))
                .collect()
        })
        .collect()
}

#[test]
fn the_readme_flows_examples_run_as_written() {
    let runs = examples("flows");
    assert!(runs.len() >= 2, "{runs:?}");
    let mut first = None;
    for args in &runs {
        let out = Command::new(BIN)
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            text.contains("DRIFT — accepted, but the design denies (1)"),
            "{args:?}:\n{text}"
        );
        first.get_or_insert(text);
    }
    // The README's report block is what the first example prints (its lines after the title).
    let md = readme();
    let after = md.split("## Compare it with flow logs").nth(1).unwrap();
    let block = after
        .split("```text\n")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap();
    let printed = first.unwrap();
    let body = printed.split_once('\n').map_or("", |(_, b)| b);
    assert!(
        body.starts_with(block),
        "README:\n{block}\nprinted:\n{printed}"
    );
}

#[test]
fn the_readme_explore_flows_example_opens_with_the_observed_traffic() {
    if !crate::tool_available("tmux", "-V") {
        eprintln!("note: tmux is not installed; skipping the terminal test");
        return;
    }
    let args = examples("explore")
        .into_iter()
        .find(|a| a.iter().any(|x| x == "--flows"))
        .expect("an explore --flows example");
    let name = format!("zs-readme-{}", std::process::id());
    let cmd = format!(
        "cd {} && {BIN} {}; echo EXIT:$?; sleep 30",
        env!("CARGO_MANIFEST_DIR"),
        args.join(" ")
    );
    assert!(
        Command::new("tmux")
            .args([
                "new-session",
                "-d",
                "-s",
                &name,
                "-x",
                "120",
                "-y",
                "40",
                &cmd
            ])
            .status()
            .unwrap()
            .success()
    );
    let screen = || {
        let o = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &name])
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let start = std::time::Instant::now();
    let mut s = screen();
    while !s.contains("observed traffic") && start.elapsed().as_secs() < 20 {
        std::thread::sleep(std::time::Duration::from_millis(100));
        s = screen();
    }
    let _ = Command::new("tmux")
        .args(["send-keys", "-t", &name, "q"])
        .status();
    std::thread::sleep(std::time::Duration::from_millis(500));
    let after = screen();
    let _ = Command::new("tmux")
        .args(["kill-session", "-t", &name])
        .status();
    assert!(s.contains("observed traffic"), "{s}");
    assert!(s.contains("1 drift, 1 broken"), "{s}");
    assert!(after.contains("EXIT:0"), "{after}");
}
