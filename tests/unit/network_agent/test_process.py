"""Finding and stopping the agent's processes by pid file and command line."""
import os
import subprocess
import sys
import time

from network.agent import process


def test_write_file_reports_whether_it_changed_anything(tmp_path):
    path = str(tmp_path / "hosts")
    assert process.write_file(path, "a\n")
    assert not process.write_file(path, "a\n")
    assert process.write_file(path, "b\n")
    assert open(path).read() == "b\n" and oct(os.stat(path).st_mode & 0o777) == "0o644"


def test_find_needs_a_live_process_with_the_marker(tmp_path):
    pid_file = str(tmp_path / "pid")
    assert process.find(pid_file, "x") is None
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)",
                              "marker-one"])
    try:
        with open(pid_file, "w") as target:
            target.write(f"{child.pid}\n")
        assert process.find(pid_file, "marker-one")[0] == child.pid
        assert process.find(pid_file, "marker-two") is None  # a recycled pid is not ours
        process.stop_pid_file(pid_file, "marker-one")
        assert child.poll() is not None and not os.path.exists(pid_file)
        assert process.command_line(child.pid) is None
    finally:
        child.kill()
        child.wait()


def test_a_zombie_is_not_running():
    child = subprocess.Popen(["true"])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # exited but not reaped: a zombie
        with open(f"/proc/{child.pid}/stat") as stat:
            if stat.read().rpartition(")")[2].split()[0] == "Z":
                break
        time.sleep(0.01)
    assert process.command_line(child.pid) is None
    child.wait()
