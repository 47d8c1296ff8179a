# SPDX-License-Identifier: Apache-2.0
# Sourced (not run) by link-back.sh and shaped-link.sh: the booth and its server in two
# network namespaces joined by a veth pair, and their removal.
#   netns_up TAG SUBNET   makes namespaces TAG-booth and TAG-server, the veth TAGb (booth
#                         end) / TAGs (server end), lo up in both, the booth at SUBNET.1/24
#                         and the server at SUBNET.2/24, both ends up. TAG must be short
#                         (interface names are at most 15 characters) and unique (use $$).
#   inb CMD... / ins CMD...  run a command to completion in the booth's / server's namespace.
#                         A function run with & is a subshell whose pid is not the program's:
#                         start background programs with `ip netns exec "$NS_B" prog &`
#                         (it execs them, so $! is the program).
#   booth_link_up         the booth's end up with its address (again after a link-down).
#   netns_down            kills whatever still runs in the two namespaces (only ours), then
#                         deletes them. Safe to call twice and before netns_up.
# Needs root. Sets NS_B, NS_S, VETH_B, VETH_S, BOOTH_IP, SERVER_IP.
NS_B=""
NS_S=""

netns_up() {
  NS_B=$1-booth
  NS_S=$1-server
  VETH_B=${1}b
  VETH_S=${1}s
  BOOTH_IP=$2.1
  SERVER_IP=$2.2
  ip netns add "$NS_B"
  ip netns add "$NS_S"
  ip link add "$VETH_B" netns "$NS_B" type veth peer name "$VETH_S" netns "$NS_S"
  inb ip link set lo up
  ins ip link set lo up
  booth_link_up
  ins ip addr add "$SERVER_IP/24" dev "$VETH_S"
  ins ip link set "$VETH_S" up
}

inb() { ip netns exec "$NS_B" "$@"; }
ins() { ip netns exec "$NS_S" "$@"; }

booth_link_up() {
  inb ip link set "$VETH_B" up
  inb ip addr replace "$BOOTH_IP/24" dev "$VETH_B"
}

netns_down() {
  local ns pids
  for ns in $NS_B $NS_S; do
    pids=$(ip netns pids "$ns" 2>/dev/null)
    [ -n "$pids" ] && kill $pids 2>/dev/null
  done
  [ -n "$NS_B$NS_S" ] && sleep 0.2
  for ns in $NS_B $NS_S; do
    pids=$(ip netns pids "$ns" 2>/dev/null)
    [ -n "$pids" ] && kill -9 $pids 2>/dev/null
    ip netns del "$ns" 2>/dev/null
  done
  NS_B=""
  NS_S=""
  return 0
}
