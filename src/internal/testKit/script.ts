/**
 * The scripted transport's script: its steps (replies, faults, delays) and how they are built.
 * @internal
 */
import * as Duration from "effect/Duration"
import type { ScriptFault } from "../../core/chaos.js"
import type * as Models from "../../core/models.js"
import {
  type BodyEnd as CoreBodyEnd,
  type ReplyOptionsOf,
  type ScriptedBody,
  scriptedBody
} from "../../core/scriptedReply.js"

/** @internal */
export type Fault = ScriptFault

/**
 * How a scripted body ends after its last chunk: `"complete"` (a clean end), `"stall"` (nothing more, ever: only an
 * attempt timeout or a deadline ends it) or a transport fault (the connection breaks mid-body).
 * @internal
 */
export type BodyEnd = CoreBodyEnd

/** @internal */
export interface Reply extends ScriptedBody {
  readonly _tag: "Reply"
  readonly delay: Duration.Duration
  /** the wait before each chunk after the first */
  readonly chunkDelay: Duration.Duration
}

/** @internal */
export interface FaultStep {
  readonly _tag: "Fault"
  readonly fault: Fault
  readonly delay: Duration.Duration
}

/** @internal */
export type Step = Reply | FaultStep

/** @internal */
export interface RecordedRequest extends Models.RecordedRequest {}

/** @internal */
export type Script = ReadonlyArray<Step> | ((request: RecordedRequest, index: number) => Step)

/**
 * What `reply` may say besides the status (documented as `HttpResilientTest.ReplyOptions`).
 * @internal
 */
export interface ReplyOptions extends ReplyOptionsOf<Duration.DurationInput> {}

/** @internal */
export const reply = (status: number, options: ReplyOptions = {}): Reply => ({
  _tag: "Reply",
  ...scriptedBody(status, options),
  delay: Duration.decode(options.delay ?? 0),
  chunkDelay: Duration.decode(options.chunkDelay ?? 0)
})

/** @internal */
export const fault = (
  kind: Fault,
  options: { readonly delay?: Duration.DurationInput | undefined } = {}
): FaultStep => ({
  _tag: "Fault",
  fault: kind,
  delay: Duration.decode(options.delay ?? 0)
})

/** @internal */
export const delayed = (step: Step, delay: Duration.DurationInput): Step => ({ ...step, delay: Duration.decode(delay) })
