# bash completion for sandboxctl: verbs, their options, container names,
# image names, contexts and tenants. Installed as
# /usr/share/bash-completion/completions/sandboxctl.

_sandboxctl_containers() {
  local all=$1
  sandboxctl ps ${all:+-a} --format '{{.Names}}' 2>/dev/null
}

_sandboxctl() {
  local cur prev words cword
  _init_completion 2>/dev/null || {
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD - 1]}
    words=("${COMP_WORDS[@]}")
    cword=$COMP_CWORD
  }
  local verbs="run create start attach stop kill rm ps inspect logs exec wait stats events info images image admin tenant context policy help"
  local i verb= sub=
  for ((i = 1; i < cword; i++)); do
    case ${words[i]} in
      --config | --context | -H | --server) ((i++)) ;;
      -*) ;;
      *)
        if [[ -z $verb ]]; then verb=${words[i]}; elif [[ -z $sub ]]; then sub=${words[i]}; fi
        ;;
    esac
  done
  case $prev in
    --config | --env-file | --from | --out | --dir | -v | --volume) _filedir 2>/dev/null || COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --context) COMPREPLY=($(compgen -W "$(sandboxctl context ls 2>/dev/null | awk 'NR > 1 {print $1}')" -- "$cur")); return ;;
    -s | --signal) COMPREPLY=($(compgen -W "KILL TERM INT HUP QUIT USR1 USR2 STOP CONT" -- "$cur")); return ;;
    --restart) COMPREPLY=($(compgen -W "no always unless-stopped on-failure" -- "$cur")); return ;;
  esac
  if [[ -z $verb ]]; then
    COMPREPLY=($(compgen -W "$verbs --config --context --server --help --version" -- "$cur"))
    return
  fi
  local opts=
  case $verb in
    run | create) opts="-d --detach --rm -i --interactive -t --tty -e --env --env-file -w --workdir -v --volume --name --hostname -u --user -m --memory --cpus --pids-limit --cpu-shares --cpuset-cpus --cpuset-mems --memory-reservation --restart -l --label --detach-keys --sig-proxy=false --help" ;;
    start) opts="-a --attach -i --interactive --detach-keys --help" ;;
    attach) opts="--no-stdin --detach-keys --sig-proxy=false --help" ;;
    stop) opts="-t --time --help" ;;
    kill) opts="-s --signal --help" ;;
    rm) opts="-f --force --help" ;;
    ps) opts="-a --all -q --quiet -f --filter --no-trunc --json --format --help" ;;
    inspect) opts="-f --format --help" ;;
    logs) opts="-f --follow -n --tail -t --timestamps --help" ;;
    exec) opts="-i --interactive -t --tty -e --env -w --workdir -u --user --detach-keys --help" ;;
    stats) opts="--no-stream -a --all --json --format --help" ;;
    events) opts="-f --filter --json --format --help" ;;
    images) opts="-q --quiet --json --format --help" ;;
    image) [[ -z $sub ]] && { COMPREPLY=($(compgen -W "ls import inspect rm" -- "$cur")); return; } ;;
    admin) [[ -z $sub ]] && { COMPREPLY=($(compgen -W "init" -- "$cur")); return; }
      opts="--dir --hostname --listen --state-dir --run-dir --audit-log --unix-socket --days --force --help" ;;
    tenant) [[ -z $sub ]] && { COMPREPLY=($(compgen -W "add list show revoke rm" -- "$cur")); return; }
      opts="--from --set --subject --out --server --days --dir --force --json --help" ;;
    context) [[ -z $sub ]] && { COMPREPLY=($(compgen -W "ls use show import" -- "$cur")); return; }
      [[ $sub == use ]] && { COMPREPLY=($(compgen -W "$(sandboxctl context ls 2>/dev/null | awk 'NR > 1 {print $1}')" -- "$cur")); return; } ;;
    policy) [[ -z $sub ]] && { COMPREPLY=($(compgen -W "check show" -- "$cur")); return; }
      opts="--base --help"; _filedir 2>/dev/null ;;
    help) COMPREPLY=($(compgen -W "$verbs" -- "$cur")); return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    return
  fi
  case $verb in
    start | rm | inspect | logs | wait) COMPREPLY=($(compgen -W "$(_sandboxctl_containers all)" -- "$cur")) ;;
    attach | stop | kill | exec | stats) COMPREPLY=($(compgen -W "$(_sandboxctl_containers)" -- "$cur")) ;;
    image) [[ $sub == rm || $sub == inspect ]] && COMPREPLY=($(compgen -W "$(sandboxctl images --format '{{.Names}}' 2>/dev/null | tr ',' ' ')" -- "$cur")) ;;
    run | create) [[ $prev != -* ]] && COMPREPLY=($(compgen -W "host $(sandboxctl images --format '{{.Names}}' 2>/dev/null | tr ',' ' ')" -- "$cur")) ;;
    tenant) [[ $sub == show || $sub == revoke || $sub == rm ]] && COMPREPLY=($(compgen -W "$(sandboxctl tenant list --json 2>/dev/null | sed -n 's/.*"name": "\(.*\)".*/\1/p')" -- "$cur")) ;;
  esac
}
complete -F _sandboxctl sandboxctl
