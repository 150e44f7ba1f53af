#!/bin/sh
# The agent pod's process: prepare llm's settings, then wait. The Overseer execs each round.
# Nothing here prints the LLM key (no set -x, no message quotes it). Files it makes are the
# vibectl user's alone (umask 077): keys.json is 0600, as llm keys set makes it.
set -eu
umask 077
mkdir -p "$VIBECTL_CONFIG_DIR" "$LLM_USER_PATH"
# An OpenAI-compatible model server, when the AppHost was given llm-base-url.
if [ -f /etc/kafkademo/llm/extra-openai-models.yaml ]; then
  cp /etc/kafkademo/llm/extra-openai-models.yaml "$LLM_USER_PATH/extra-openai-models.yaml"
fi
# The LLM key (the Secret vibectl-llm, mounted as a file; absent without a key) goes into llm's
# own keys.json, which llm 0.26 reads before any environment variable (llm/__init__.py get_key).
# vibectl 0.11.6 deletes ANTHROPIC_API_KEY and OPENAI_API_KEY from its environment after each
# model call unless they were there before (model_adapter.py ModelEnvironment.__exit__), and for a
# model it cannot tie to a provider it never sets them: a key only in those variables is lost.
# keys.json holds it under every name llm may look up: anthropic (llm-anthropic's needs_key),
# openai (the OpenAI models') and kafkademo-llm (the api_key_name the AppHost writes for an
# OpenAI-compatible server). Only characters that need no JSON escaping are taken.
key=""
if [ -f /etc/kafkademo/llm-key/api-key ]; then
  key=$(cat /etc/kafkademo/llm-key/api-key)
fi
case "$key" in
  "")
    rm -f "$LLM_USER_PATH/keys.json"
    ;;
  *[!A-Za-z0-9._~+/=:-]*)
    rm -f "$LLM_USER_PATH/keys.json"
    echo "kafkademo-agent-idle: the LLM key has a character other than A-Z a-z 0-9 . _ ~ + / = : - so it was not written to llm's keys.json" >&2
    ;;
  *)
    printf '{"anthropic": "%s", "openai": "%s", "kafkademo-llm": "%s"}\n' "$key" "$key" "$key" > "$LLM_USER_PATH/keys.json"
    ;;
esac
exec sleep infinity
