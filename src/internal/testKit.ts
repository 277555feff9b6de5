/**
 * The test kit behind `HttpResilientTest`: the script (`testKit/script.ts`), how a step is played
 * (`testKit/play.ts`), the scripted transport and its layers (`testKit/scripted.ts`), fault injection over a real
 * transport (`testKit/chaos.ts`).
 * @internal
 */
export { chaos, type ChaosOptions } from "./testKit/chaos.js"
export {
  type BodyEnd,
  delayed,
  type Fault,
  fault,
  type FaultStep,
  type RecordedRequest,
  type Reply,
  reply,
  type ReplyOptions,
  type Script,
  type Step
} from "./testKit/script.js"
export { layer, layerTransport, makeScripted, Recorder, requests } from "./testKit/scripted.js"
