// Building blocks for runtimes that implement MvSyscalls (the device core, the mock): `@mvmqtt/sdk/runtime`.
export { HandleAllocator, HandleTable, seededRandom, type Random } from './handles.js';
export { SimulatedMemory, overlaps, type AddressRange } from './memory.js';
export { sizedTopicProblem, topicProblem, type TopicKind, type TopicProblem } from './mqtt-topics.js';
