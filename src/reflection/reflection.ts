import { createRegistry, type DescFile, type DescService, type Registry, toBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import type { ConnectRouter } from "@connectrpc/connect";
import { Code } from "@connectrpc/connect";
import { ServerReflection as ReflectionV1 } from "../../gen/grpc/reflection/v1/reflection_pb.js";
import { ServerReflection as ReflectionV1Alpha } from "../../gen/grpc/reflection/v1alpha/reflection_pb.js";

/**
 * gRPC server reflection (v1 and v1alpha), answered from the file descriptors that gen/ already
 * embeds. connect-node has none built in and no kept library for it installs here; the protocol
 * is small: list services, and return a file (with its dependencies) by name or by symbol.
 */

type Question =
  | { case: "fileByFilename"; value: string }
  | { case: "fileContainingSymbol"; value: string }
  | { case: "fileContainingExtension"; value: { containingType: string; extensionNumber: number } }
  | { case: "allExtensionNumbersOfType"; value: string }
  | { case: "listServices"; value: string }
  | { case: undefined; value?: undefined };

type Answer =
  | { case: "fileDescriptorResponse"; value: { fileDescriptorProto: Uint8Array[] } }
  | { case: "allExtensionNumbersResponse"; value: { baseTypeName: string; extensionNumber: number[] } }
  | { case: "listServicesResponse"; value: { service: { name: string }[] } }
  | { case: "errorResponse"; value: { errorCode: number; errorMessage: string } };

export class ReflectionIndex {
  private readonly filesByName = new Map<string, DescFile>();
  private readonly registry: Registry;
  private readonly serviceNames: string[];

  constructor(services: readonly DescService[]) {
    const all = [...services, ReflectionV1, ReflectionV1Alpha];
    for (const s of all) this.closure(s.file, this.filesByName);
    this.registry = createRegistry(...this.filesByName.values());
    this.serviceNames = [...new Set(all.map((s) => s.typeName))].sort();
  }

  /** Adds `file` and everything it imports, transitively, to `into` (the file first). */
  private closure(file: DescFile, into: Map<string, DescFile>): Map<string, DescFile> {
    if (!into.has(file.name)) {
      into.set(file.name, file);
      for (const dep of file.dependencies) this.closure(dep, into);
    }
    return into;
  }

  answer(q: Question): Answer {
    switch (q.case) {
      case "listServices":
        return { case: "listServicesResponse", value: { service: this.serviceNames.map((name) => ({ name })) } };
      case "fileByFilename": {
        const file = this.filesByName.get(q.value);
        return file ? this.files(file) : notFound(`file ${q.value}`);
      }
      case "fileContainingSymbol": {
        const file = this.fileOfSymbol(q.value);
        return file ? this.files(file) : notFound(`symbol ${q.value}`);
      }
      case "fileContainingExtension": {
        const message = this.registry.getMessage(q.value.containingType);
        const ext = message && this.registry.getExtensionFor(message, q.value.extensionNumber);
        return ext ? this.files(ext.file) : notFound(`extension ${q.value.extensionNumber} of ${q.value.containingType}`);
      }
      case "allExtensionNumbersOfType": {
        const message = this.registry.getMessage(q.value);
        if (!message) return notFound(`type ${q.value}`);
        const numbers: number[] = [];
        for (const d of this.registry) if (d.kind === "extension" && d.extendee.typeName === q.value) numbers.push(d.number);
        return { case: "allExtensionNumbersResponse", value: { baseTypeName: q.value, extensionNumber: numbers.sort((a, b) => a - b) } };
      }
      default:
        return { case: "errorResponse", value: { errorCode: Code.InvalidArgument, errorMessage: "empty reflection request" } };
    }
  }

  /** A symbol may name a type, a service, or a member of one (method, field, enum value). */
  private fileOfSymbol(name: string): DescFile | undefined {
    const desc = this.registry.get(name);
    if (desc) return desc.file;
    const parent = name.slice(0, Math.max(0, name.lastIndexOf(".")));
    return parent ? this.registry.get(parent)?.file : undefined;
  }

  /** The file and every file it depends on, transitively, requested file first. */
  private files(file: DescFile): Answer {
    const files = this.closure(file, new Map());
    return {
      case: "fileDescriptorResponse",
      value: { fileDescriptorProto: [...files.values()].map((f) => toBinary(FileDescriptorProtoSchema, f.proto)) },
    };
  }
}

const notFound = (what: string): Answer => ({ case: "errorResponse", value: { errorCode: Code.NotFound, errorMessage: `${what} not found` } });

/** Registers both reflection versions on the router (their messages differ only in package). */
export function registerReflection(router: ConnectRouter, index: ReflectionIndex): void {
  router.service(ReflectionV1, {
    async *serverReflectionInfo(requests) {
      for await (const req of requests) yield { validHost: req.host, originalRequest: req, messageResponse: index.answer(req.messageRequest) };
    },
  });
  router.service(ReflectionV1Alpha, {
    async *serverReflectionInfo(requests) {
      for await (const req of requests) yield { validHost: req.host, originalRequest: req, messageResponse: index.answer(req.messageRequest) };
    },
  });
}
