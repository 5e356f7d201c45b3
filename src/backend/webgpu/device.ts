// Opening a WebGPU device in Node: the `webgpu` package (Dawn built for Node) is an optional dependency, loaded
// only when a program asks for `--backend webgpu`, so `npm install` and the CPU path never depend on it.
// Dawn needs a Vulkan driver on Linux: a real GPU's, or SwiftShader (software) for CI; see .ci/run.
// No adapter is an error, never a silent fall-back to the CPU.
import { InputError } from '../../core/errors.ts';

/** Why the WebGPU backend cannot start, said in one line (an InputError: the CLI prints it and exits 1). */
export class NoAdapterError extends InputError {}

export interface OpenedDevice {
  device: GPUDevice;
  /** vendor / architecture / device as the adapter reports them, e.g. 'nvidia nvidia-h200'. */
  description: string;
  features: string[];
  /** The instance and adapter, kept reachable: Dawn tears the device down if the GC collects its instance. */
  keepAlive: unknown[];
}

/**
 * Dawn toggles: `allow_unsafe_apis` exposes the experimental subgroup-matrix (tensor core) feature and
 * `vulkan_enable_f16_on_nvidia` exposes shader-f16 on NVIDIA's Vulkan driver; both only matter to the opt-in
 * f16 path. TINYSEEK_DAWN_FLAGS adds more (comma-separated), e.g. for a debugging toggle.
 */
function dawnFlags(): string[] {
  const toggles = ['allow_unsafe_apis', 'vulkan_enable_f16_on_nvidia'];
  const extra = process.env.TINYSEEK_DAWN_FLAGS;
  return [`enable-dawn-features=${toggles.join(',')}`, ...(extra ? extra.split(',') : [])];
}

/** The features a device is asked for when its adapter has them (compute only needs the core set). */
const WANTED: GPUFeatureName[] = [
  'subgroups' as GPUFeatureName,
  'shader-f16',
  'timestamp-query',
  'chromium-experimental-subgroup-matrix' as GPUFeatureName,
];

export async function openDevice(): Promise<OpenedDevice> {
  let mod: { create(flags: string[]): GPU; globals: object };
  try {
    mod = (await import('webgpu')) as typeof mod;
  } catch (e) {
    throw new NoAdapterError(
      `--backend webgpu needs the optional 'webgpu' package (Dawn for Node), which is not installed here: ${(e as Error).message.split('\n')[0]}`,
    );
  }
  Object.assign(globalThis, mod.globals);
  const gpu = mod.create(dawnFlags());
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter)
    throw new NoAdapterError(
      'no WebGPU adapter found (Dawn needs a Vulkan driver: a GPU, or SwiftShader via VK_ICD_FILENAMES; see .ci/run)',
    );
  const features = WANTED.filter((f) => adapter.features.has(f));
  const L = adapter.limits;
  const device = await adapter.requestDevice({
    requiredFeatures: features,
    requiredLimits: {
      maxStorageBufferBindingSize: L.maxStorageBufferBindingSize,
      maxBufferSize: L.maxBufferSize,
      maxComputeWorkgroupStorageSize: L.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: L.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: L.maxComputeWorkgroupSizeX,
      maxStorageBuffersPerShaderStage: L.maxStorageBuffersPerShaderStage,
    },
  });
  const info = adapter.info;
  const description = [info.vendor, info.architecture, info.device].filter((s) => s).join(' ');
  return { device, description, features: [...device.features] as string[], keepAlive: [gpu, adapter] };
}
