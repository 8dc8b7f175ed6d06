//! The real binary in a real terminal: tmux runs `zonescope explore`, keys are sent, the screen
//! is read back. Skips (with a note) only when `tmux` is not installed.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_zonescope");

fn have_tmux() -> bool {
    crate::tool_available("tmux", "-V")
}

/// A tmux session killed on drop.
struct Session(String);

impl Session {
    fn start(name: &str, cmd: &str) -> Session {
        let name = format!("zs-{name}-{}", std::process::id());
        // The shell prints the exit status and stays, so the test can read it.
        let script = format!("{cmd}; echo EXIT:$?; sleep 60");
        let ok = Command::new("tmux")
            .args([
                "new-session",
                "-d",
                "-s",
                &name,
                "-x",
                "120",
                "-y",
                "40",
                &script,
            ])
            .env_remove("NO_COLOR")
            .status()
            .expect("tmux runs")
            .success();
        assert!(ok, "tmux new-session");
        Session(name)
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            let ok = Command::new("tmux")
                .args(["send-keys", "-t", &self.0, k])
                .status()
                .expect("tmux send-keys")
                .success();
            assert!(ok);
            // Esc must not merge with the next key into an Alt- chord.
            sleep(Duration::from_millis(if *k == "Escape" { 300 } else { 60 }));
        }
    }

    fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.0])
            .output()
            .expect("tmux capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Wait until the screen contains `needle`; the screen when it does.
    fn wait_for(&self, needle: &str) -> String {
        self.wait_until(needle, |s| s.contains(needle))
    }

    /// Polls the screen until `ok` holds (20 s at most; `what` names it in the failure).
    fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if ok(&s) {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "`{what}` never appeared; the screen:\n{s}"
            );
            sleep(Duration::from_millis(100));
        }
    }
}

impl Session {
    fn resize(&self, w: u16, h: u16) {
        let ok = Command::new("tmux")
            .args([
                "resize-window",
                "-t",
                &self.0,
                "-x",
                &w.to_string(),
                "-y",
                &h.to_string(),
            ])
            .status()
            .expect("tmux resize-window")
            .success();
        assert!(ok, "tmux resize-window");
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.0])
            .status();
    }
}

fn sample() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples/azure-hub-spoke.yaml")
}

#[test]
fn explore_with_a_trace_then_keys_then_quit() {
    if !have_tmux() {
        eprintln!("note: tmux is not installed; skipping the terminal test");
        return;
    }
    let cmd = format!(
        "{BIN} explore {} --trace 'web -> aoai-eus:443'",
        sample().display()
    );
    let s = Session::start("trace", &cmd);
    let screen = s.wait_for("DENY");
    assert!(screen.contains("eus-deny-app-to-ai"), "{screen}");
    assert!(screen.contains("web → aoai-eus"), "{screen}");
    assert!(screen.contains("Model calls go through the"), "{screen}");

    // Help from the keymap.
    s.keys(&["?"]);
    s.wait_for("every key");
    s.keys(&["Escape"]);
    // Find apim and make it the destination: the verdict turns to allow.
    s.keys(&["/", "apim"]);
    s.wait_for("Find");
    s.keys(&["C-d"]);
    let screen = s.wait_for("ALLOW");
    assert!(screen.contains("ZP-001"), "{screen}");
    // Presentation mode.
    s.keys(&["F2"]);
    s.wait_for("PRESENTING");
    s.keys(&["Escape"]);
    // The zone matrix.
    s.keys(&["z"]);
    s.wait_for("Zone matrix");
    s.keys(&["Escape"]);
    s.keys(&["q"]);
    let screen = s.wait_for("EXIT:");
    assert!(screen.contains("EXIT:0"), "{screen}");
}

#[test]
fn the_file_reloads_when_it_changes_and_a_bad_edit_keeps_the_last_good_one() {
    if !have_tmux() {
        eprintln!("note: tmux is not installed; skipping the terminal test");
        return;
    }
    let dir = std::env::temp_dir().join(format!("zonescope-tmux-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("design.yaml");
    let good = std::fs::read_to_string(sample()).unwrap();
    std::fs::write(&file, &good).unwrap();
    let cmd = format!("{BIN} explore {} --trace 'web -> apim:443'", file.display());
    let s = Session::start("reload", &cmd);
    s.wait_for("ALLOW");
    sleep(Duration::from_millis(1100));
    std::fs::write(
        &file,
        good.replace("cidr: 10.3.1.0/24", "cidr: 10.3.1.0/99"),
    )
    .unwrap();
    let screen = s.wait_for("reload failed");
    assert!(screen.contains("design.yaml:"), "{screen}");
    assert!(
        screen.contains("ALLOW"),
        "the last good trace stays: {screen}"
    );
    sleep(Duration::from_millis(1100));
    let denied = good.replace(
        "- { id: apim-app-in, priority: 120, direction: inbound, action: allow",
        "- { id: apim-app-in, priority: 120, direction: inbound, action: deny",
    );
    std::fs::write(&file, denied).unwrap();
    // The good edit clears the error and the trace recomputes (the poll takes up to a second).
    s.wait_until("DENY without the reload error", |screen| {
        screen.contains("DENY") && !screen.contains("reload failed")
    });
    s.keys(&["C-c"]);
    let screen = s.wait_for("EXIT:");
    assert!(screen.contains("EXIT:0"), "{screen}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The terminal shrunk below 80×24 and back: the keys pressed meanwhile change nothing (the
/// finder keeps its text), and q quits from the "needs 80×24" screen even over the finder.
#[test]
fn a_too_small_terminal_waits_for_keys_and_q_still_quits() {
    if !have_tmux() {
        eprintln!("note: tmux is not installed; skipping the terminal test");
        return;
    }
    let s = Session::start("small", &format!("{BIN} explore {}", sample().display()));
    s.wait_for("Explorer");
    s.keys(&["/", "a", "p"]);
    s.wait_for("› ap");
    s.resize(60, 20);
    s.wait_for("needs a terminal of at least 80×24");
    s.keys(&["x", "Escape", "j", "Enter"]);
    s.resize(120, 40);
    let screen = s.wait_for("› ap");
    assert!(screen.contains("Find ·"), "{screen}");
    s.resize(60, 20);
    s.wait_for("needs a terminal of at least 80×24");
    s.keys(&["q"]);
    let screen = s.wait_for("EXIT:");
    assert!(screen.contains("EXIT:0"), "{screen}");
}

/// `keys.toml` in `$ZONESCOPE_CONFIG_DIR`: the footer and the help show the user's keys, and
/// the key works; a wrong action name stops the explorer with file:line and the fix.
#[test]
fn user_keys_from_the_config_dir() {
    if !have_tmux() {
        eprintln!("note: tmux is not installed; skipping the terminal test");
        return;
    }
    let good = tempfile::tempdir().unwrap();
    std::fs::write(
        good.path().join("keys.toml"),
        "[normal]\nset_source = \"S\"\n",
    )
    .unwrap();
    let cmd = format!(
        "ZONESCOPE_CONFIG_DIR={} {BIN} explore {}",
        good.path().display(),
        sample().display()
    );
    let s = Session::start("keys", &cmd);
    let screen = s.wait_for("S from");
    assert!(!screen.contains(" s from"), "{screen}");
    s.keys(&["/", "web"]);
    s.wait_for("› web");
    s.keys(&["Enter", "S"]);
    s.wait_for("source set");
    s.keys(&["?", "G"]);
    s.wait_for("read from");
    s.keys(&["Escape", "q"]);
    let screen = s.wait_for("EXIT:");
    assert!(screen.contains("EXIT:0"), "{screen}");

    let bad = tempfile::tempdir().unwrap();
    std::fs::write(
        bad.path().join("keys.toml"),
        "[normal]\nset_sorce = \"S\"\n",
    )
    .unwrap();
    let cmd = format!(
        "ZONESCOPE_CONFIG_DIR={} {BIN} explore {}",
        bad.path().display(),
        sample().display()
    );
    let s = Session::start("badkeys", &cmd);
    let screen = s.wait_for("EXIT:");
    assert!(screen.contains("EXIT:2"), "{screen}");
    assert!(
        screen.contains("keys.toml:2: unknown action `set_sorce`"),
        "{screen}"
    );
    assert!(screen.contains("did you mean `set_source`?"), "{screen}");
}

#[test]
fn without_a_terminal_it_says_so_and_exits_2() {
    let out = Command::new(BIN)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("terminal"), "{err}");
    assert!(err.contains("zonescope trace"), "{err}");
    let out = Command::new(BIN)
        .args(["explore", &sample().display().to_string()])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn explore_with_flow_logs_lists_drift_and_traces_it() {
    if !have_tmux() {
        eprintln!("note: tmux is not installed; skipping the terminal test");
        return;
    }
    use std::io::Write as _;
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let design = root.join("tests/fixtures/flows/aws-doc.yaml");
    let logs = root.join("../shared/reference/flowlogs");
    // Several logs, one of them gzip, as `zonescope flows` takes them.
    let dir = std::env::temp_dir().join(format!("zonescope-tmux-flows-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let gz = dir.join("v2.log.gz");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::default(),
    );
    enc.write_all(&std::fs::read(logs.join("aws-vpc-v2-examples.log")).unwrap())
        .unwrap();
    enc.finish().unwrap();
    let cmd = format!(
        "{BIN} explore {} --flows {} {}",
        design.display(),
        gz.display(),
        logs.join("aws-vpc-custom-examples.log").display()
    );
    let s = Session::start("flows", &cmd);
    // The traffic is on the map, and the status line counts it.
    let screen = s.wait_for("observed traffic");
    assert!(screen.contains("5 drift, 1 broken, 1 anomaly"), "{screen}");
    s.keys(&["o"]);
    let screen = s.wait_for("Observed flows");
    assert!(screen.contains("DRIFT"), "{screen}");
    assert!(screen.contains("v2.log.gz:5"), "{screen}");
    assert!(
        screen.contains("172.31.16.139:20641 → 172.31.16.21:22"),
        "{screen}"
    );
    assert!(screen.contains("sg-web/implicit-deny"), "{screen}");
    assert!(screen.contains("BROKEN"), "{screen}");
    assert!(screen.contains("data_zone_egress"), "{screen}");
    // r reads the design and the logs again, and the list stays open.
    s.keys(&["r"]);
    s.wait_for("flow logs: 15 records");
    // Enter traces the first drift record: the design denies it.
    s.keys(&["Enter"]);
    let screen = s.wait_for("traced 172.31.16.139 → 172.31.16.21: DENY");
    assert!(screen.contains("implicit-deny"), "{screen}");
    assert!(!screen.contains("Observed flows"), "{screen}");
    s.keys(&["q"]);
    let screen = s.wait_for("EXIT:");
    assert!(screen.contains("EXIT:0"), "{screen}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn explore_with_an_unreadable_flow_log_exits_2() {
    if !have_tmux() {
        eprintln!("note: tmux is not installed; skipping the terminal test");
        return;
    }
    let design =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/flows/aws-doc.yaml");
    let cmd = format!(
        "{BIN} explore {} --flows /nonexistent/zonescope-flows.log",
        design.display()
    );
    let s = Session::start("flows-missing", &cmd);
    let screen = s.wait_for("EXIT:");
    assert!(screen.contains("EXIT:2"), "{screen}");
    assert!(screen.contains("--flows"), "{screen}");
}

/// Issue 16 item 9: after an unterminated bracketed paste (`ESC[200~` and no `ESC[201~`)
/// crossterm's parser swallows every later byte (crossterm-rs/crossterm#1060), so `q` does
/// nothing — but Ctrl-C, a signal since the explorer turns the terminal's ISIG back on, still
/// quits, with status 0 and the terminal restored. Ctrl-Z does not stop the explorer (it would
/// leave the terminal raw): `q` afterwards still quits.
#[test]
fn ctrl_c_quits_even_after_an_unterminated_bracketed_paste() {
    if !have_tmux() {
        eprintln!("note: tmux is not installed; skipping the terminal test");
        return;
    }
    let s = Session::start("paste", &format!("{BIN} explore {}", sample().display()));
    s.wait_for("zonescope ·");
    // The start of a paste and one byte of it, sent as the terminal would, in one write.
    let ok = Command::new("tmux")
        .args(["send-keys", "-t", &s.0, "-l", "\u{1b}[200~x"])
        .status()
        .expect("tmux send-keys")
        .success();
    assert!(ok);
    s.keys(&["q"]);
    sleep(Duration::from_millis(500));
    assert!(
        !s.screen().contains("EXIT:"),
        "q is held by the parser: {}",
        s.screen()
    );
    s.keys(&["C-c"]);
    let screen = s.wait_for("EXIT:");
    assert!(screen.contains("EXIT:0"), "{screen}");

    let s = Session::start("tstp", &format!("{BIN} explore {}", sample().display()));
    s.wait_for("zonescope ·");
    s.keys(&["C-z"]);
    sleep(Duration::from_millis(300));
    s.keys(&["q"]);
    let screen = s.wait_for("EXIT:");
    assert!(screen.contains("EXIT:0"), "{screen}");
}
