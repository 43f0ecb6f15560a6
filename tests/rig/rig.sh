#!/usr/bin/env bash
# Copied from the team's shared audio-rig/rig.sh (TESTING.md) so tests run from this checkout.
# Loopstage's addition: `rig_loopback`, one duplex device (rig_out out, rig_loop in), because a
# PortAudio duplex stream on two separate ALSA PCMs delivered no buffers here; latency calibration
# needs the loopback on the same open stream.
# A real-time audio device for machines without a sound card: a private PulseAudio daemon with a
# null sink gives the clock; ALSA's `file` plugin on top gives exact, known capture content and a
# copy of everything played. PortAudio (naudiodon) sees it as ordinary ALSA devices.
#
#   rig.sh start DIR [CHANNELS] [RATE]   start the daemon, write DIR/asound.conf, print the env to export
#   rig.sh stop DIR                      stop the daemon started for DIR
#
# Devices (PortAudio names):
#   rig_mic   capture; the samples are read from DIR/mic.raw (raw PCM in the format the stream opens,
#             interleaved; write it before opening the stream; a FIFO kept full also works)
#   rig_out   playback; paced in real time and also written to DIR/played-RATE-CHANNELS-BITS.raw
#   rig_loop  capture of what rig_out plays (the sink's monitor): a real loopback, for latency tests
#   default   rig_out + rig_mic (PortAudio needs a default PCM, or it aborts while listing devices)
#   rig_loopback  rig_out + rig_loop: a duplex device whose input hears its own output
# Needs Debian packages: pulseaudio pulseaudio-utils libasound2-plugins.
set -eu
cmd=${1:?start|stop}; dir=$(mkdir -p "${2:?DIR}" && cd "$2" && pwd)
ch=${3:-2}; rate=${4:-48000}
sock="$dir/pulse/native"
case "$cmd" in
start)
  if [ -f "$dir/pulse/daemon.pid" ] && kill -0 "$(cat "$dir/pulse/daemon.pid")" 2>/dev/null; then
    echo "rig: already running for $dir (rig.sh stop $dir first)" >&2; exit 1; fi
  mkdir -p "$dir/pulse/home/.config" "$dir/pulse/run"; chmod 700 "$dir/pulse/run"
  cat > "$dir/pulse/rig.pa" <<PA
load-module module-null-sink sink_name=rig_sink rate=$rate channels=$ch format=float32le sink_properties=device.description=Loopstage_Rig
load-module module-native-protocol-unix auth-anonymous=1 socket=$sock
set-default-sink rig_sink
set-default-source rig_sink.monitor
PA
  cat > "$dir/asound.conf" <<ALSA
pcm.rig_pulse_mic { type pulse  server "unix:$sock"  device "rig_sink.monitor" }
pcm.rig_pulse_out { type pulse  server "unix:$sock"  device "rig_sink" }
pcm.rig_mic  { type file  slave.pcm "rig_pulse_mic"  file "/dev/null"  infile "$dir/mic.raw"  format "raw" }
pcm.rig_out  { type file  slave.pcm "rig_pulse_out"  file "$dir/played-%r-%c-%b.raw"  format "raw" }
pcm.rig_loop { type plug  slave.pcm "rig_pulse_mic" }
pcm.default  { type asym  playback.pcm "rig_out"  capture.pcm "rig_mic" }
pcm.rig_loopback { type asym  playback.pcm "rig_out"  capture.pcm "rig_loop" }
ALSA
  [ -e "$dir/mic.raw" ] || : > "$dir/mic.raw"
  ( export HOME="$dir/pulse/home" XDG_RUNTIME_DIR="$dir/pulse/run" XDG_CONFIG_HOME="$dir/pulse/home/.config"
    exec pulseaudio -n -F "$dir/pulse/rig.pa" --daemonize=no --exit-idle-time=-1 --use-pid-file=no \
      --system=no --log-target=stderr --log-level=error ) > "$dir/pulse/daemon.log" 2>&1 &
  echo $! > "$dir/pulse/daemon.pid"
  for _ in $(seq 100); do PULSE_SERVER="unix:$sock" pactl info >/dev/null 2>&1 && break; sleep 0.1; done
  PULSE_SERVER="unix:$sock" pactl info >/dev/null 2>&1 || { echo "rig: pulseaudio did not start, see $dir/pulse/daemon.log" >&2; exit 1; }
  # A low-latency stream keeps the sink awake, so the first captured buffer arrives in ~0.1 s, not ~1 s.
  PULSE_SERVER="unix:$sock" pacat --playback -d rig_sink --format=float32le --rate="$rate" --channels="$ch" \
    --latency-msec=10 --raw /dev/zero >/dev/null 2>&1 &
  echo $! > "$dir/pulse/keepalive.pid"
  echo "export ALSA_CONFIG_PATH=$dir/asound.conf PULSE_SERVER=unix:$sock"
  ;;
stop)
  for p in keepalive daemon; do
    f="$dir/pulse/$p.pid"
    if [ -f "$f" ]; then kill "$(cat "$f")" 2>/dev/null || true; rm -f "$f"; fi
  done ;;
*) echo "usage: rig.sh start|stop DIR [CHANNELS] [RATE]" >&2; exit 2 ;;
esac
