//! `podman system service` as a Docker-API engine on a private unix socket, with its
//! own vfs storage, cgroupfs and file event log (what works in containers and CI).
//! Images get in with `podman load`, through the same private storage.

use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use super::registry::{require, run};

pub struct Podman {
    pub dir: tempfile::TempDir,
    pub socket: PathBuf,
    child: Child,
}

impl Podman {
    pub fn start() -> Option<Self> {
        if !require("podman") {
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        for d in ["root", "run", "tmp"] {
            std::fs::create_dir_all(p.join(d)).unwrap();
        }
        std::fs::write(
            p.join("containers.conf"),
            format!(
                "[engine]\ncgroup_manager = \"cgroupfs\"\nevents_logger = \"file\"\nevents_logfile_path = \"{}/events.log\"\nruntime = \"crun\"\n[containers]\nnetns = \"host\"\n",
                p.display()
            ),
        )
        .unwrap();
        std::fs::write(
            p.join("storage.conf"),
            format!(
                "[storage]\ndriver = \"vfs\"\nrunroot = \"{0}/run\"\ngraphroot = \"{0}/root\"\n",
                p.display()
            ),
        )
        .unwrap();
        std::fs::write(
            p.join("registries.conf"),
            "unqualified-search-registries = []\n",
        )
        .unwrap();
        let socket = p.join("podman.sock");
        let log = std::fs::File::create(p.join("service.log")).unwrap();
        let mut cmd = Command::new("podman");
        Self::env(p, &mut cmd);
        let child = cmd
            .args(["system", "service", "--time=0"])
            .arg(format!("unix://{}", socket.display()))
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        let podman = Self { dir, socket, child };
        let deadline = Instant::now() + Duration::from_secs(30);
        while UnixStream::connect(&podman.socket).is_err() {
            assert!(
                Instant::now() < deadline,
                "podman service did not start: {}",
                std::fs::read_to_string(podman.dir.path().join("service.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(podman)
    }

    fn env(dir: &Path, cmd: &mut Command) {
        cmd.env("CONTAINERS_CONF", dir.join("containers.conf"))
            .env("CONTAINERS_STORAGE_CONF", dir.join("storage.conf"))
            .env("CONTAINERS_REGISTRIES_CONF", dir.join("registries.conf"))
            .env("TMPDIR", dir.join("tmp"));
    }

    /// `podman ARGS` against this instance's storage.
    pub fn podman(&self, args: &[&str]) -> String {
        let mut cmd = Command::new("podman");
        Self::env(self.dir.path(), &mut cmd);
        cmd.args(args);
        run(&mut cmd)
    }

    /// `podman load -i ARCHIVE`.
    pub fn load(&self, archive: &Path) {
        self.podman(&["load", "-q", "-i", &archive.display().to_string()]);
    }

    pub fn docker_host(&self) -> String {
        format!("unix://{}", self.socket.display())
    }
}

impl Drop for Podman {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // vfs layers may hold read-only dirs; make them removable for TempDir.
        let _ = Command::new("chmod")
            .args(["-R", "u+w"])
            .arg(self.dir.path())
            .status();
    }
}
