/**
 * Transfer progress on stderr: a bar redrawn in place on a terminal, else a plain
 * line at every tenth of the way (logs and CI stay readable, and short).
 */
export interface Progress {
  readonly tick: (bytes: number) => void
  readonly done: () => void
}

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`

export const progress = (label: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress => {
  let count = 0
  let bytes = 0
  let lastTenth = 0
  const tty = stream.isTTY === true
  const draw = () => {
    const width = 24
    const filled = total === 0 ? width : Math.round((count / total) * width)
    stream.write(`\r[grokflow] ${label} [${"=".repeat(filled)}${" ".repeat(width - filled)}] ${count}/${total} ${mb(bytes)}`)
  }
  return {
    tick: (n) => {
      count++
      bytes += n
      if (tty) return draw()
      const tenth = Math.floor((count / total) * 10)
      if (tenth > lastTenth && count < total) {
        lastTenth = tenth
        stream.write(`[grokflow] ${label} ${count}/${total} (${mb(bytes)})\n`)
      }
    },
    done: () => {
      if (total === 0) return
      if (tty) {
        draw()
        stream.write("\n")
      } else stream.write(`[grokflow] ${label} ${count}/${total} (${mb(bytes)})\n`)
    }
  }
}
