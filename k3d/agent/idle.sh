#!/bin/sh
# The agent pod's process: prepare llm's settings, then wait. The Overseer execs each round.
set -eu
mkdir -p "$VIBECTL_CONFIG_DIR" "$LLM_USER_PATH"
# An OpenAI-compatible model server, when the AppHost was given llm-base-url.
if [ -f /etc/kafkademo/llm/extra-openai-models.yaml ]; then
  cp /etc/kafkademo/llm/extra-openai-models.yaml "$LLM_USER_PATH/extra-openai-models.yaml"
fi
exec sleep infinity
