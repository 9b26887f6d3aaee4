/**
 * V8 heap settings for a process that runs the gateway (`rotary gateway`, a gateway child
 * process). They must be on the node command line: V8 sizes its heap when the process starts,
 * and `v8.setFlagsFromString` afterwards changes nothing (checked: the young generation still
 * grew to 64 MB). bin/rotary.mjs carries them in its shebang (tests/gateway/node-flags.test.ts
 * keeps the two equal); whoever spawns a gateway process passes them in `execArgv`.
 *
 * Measured on the 2-core machine (busy with other work, so CPU figures are ±20 %), the gateway
 * under tsx in front of the simulator dripping 2-s streams (52 events, 40 ms apart), wrk
 * holding the streams open, peak RSS of the gateway process and its CPU per stream:
 *
 * | --max-semi-space-size | 256 streams: peak RSS        | CPU/stream (µs)   | 1000 streams: peak RSS | CPU/stream (µs) |
 * |-----------------------|------------------------------|-------------------|------------------------|-----------------|
 * | default (grows to 32) | 243, 200, 193 MB             | 4270, 4996, 3789  | 267 MB                 | 4850            |
 * | 1                     | 148 MB                       | 5516              |                        |                 |
 * | 2                     | 148, 146 MB                  | 4403, 3788        | 183 MB                 | 3956            |
 * | 4                     | 155 MB                       | 4969              | 164 MB                 | 4034            |
 * | 8                     | 155, 159 MB                  | 4773, 3670        | 181 MB                 | 5680            |
 * | 32                    | 180 MB                       | 4227              |                        |                 |
 * | 64                    | 216 MB                       | 5827              |                        |                 |
 *
 * The default young generation (two semi-spaces growing to 32 MB each here) is most of the RSS
 * above the live data; 4 MB semi-spaces take ~40–100 MB off at no CPU cost that the noise lets
 * one see. No --max-old-space-size: the old space holds what is really live (bounded rings,
 * caches), and a cap would only turn a leak into a crash.
 */
export const GATEWAY_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];
