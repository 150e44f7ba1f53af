# Shared by the bench scripts: jq -L bench/lib 'include "stats"; ...'

# The median of an array of numbers; null when it is empty.
def median: sort as $s | ($s | length) as $n
  | if $n == 0 then null elif $n % 2 == 1 then $s[($n - 1) / 2 | floor] else ($s[$n / 2 - 1] + $s[$n / 2]) / 2 end;
