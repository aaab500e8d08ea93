// Small fakes of the VS Code API pieces the host logic uses, typed against @types/vscode
// (`implements`), so a change in the real API's shape fails the type check here.
import type * as vscode from 'vscode';

export class FakeUri implements vscode.Uri {
  constructor(
    readonly scheme: string,
    readonly authority: string,
    readonly path: string,
    readonly query = '',
    readonly fragment = '',
  ) {}
  static file(p: string): FakeUri {
    return new FakeUri('file', '', p);
  }
  get fsPath(): string {
    return this.path;
  }
  with(change: {
    scheme?: string;
    authority?: string;
    path?: string;
    query?: string;
    fragment?: string;
  }): vscode.Uri {
    return new FakeUri(
      change.scheme ?? this.scheme,
      change.authority ?? this.authority,
      change.path ?? this.path,
      change.query ?? this.query,
      change.fragment ?? this.fragment,
    );
  }
  toString(): string {
    return `${this.scheme}://${this.authority}${this.path}`;
  }
  toJSON(): unknown {
    return { scheme: this.scheme, path: this.path };
  }
}

class FileNotFound extends Error {
  code = 'FileNotFound';
}

/** An in-memory `workspace.fs`; folders listed in `readOnly` refuse writes like EACCES. */
export class MemoryFileSystem implements vscode.FileSystem {
  readonly files = new Map<string, Uint8Array>();
  readonly dirs = new Set<string>(['/']);
  readonly readOnly = new Set<string>();

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    if (this.files.has(uri.path))
      return { type: 1, ctime: 0, mtime: 0, size: this.files.get(uri.path)?.length ?? 0 };
    if (this.dirs.has(uri.path)) return { type: 2, ctime: 0, mtime: 0, size: 0 };
    throw new FileNotFound(`no such file ${uri.path}`);
  }
  async readDirectory(): Promise<[string, vscode.FileType][]> {
    return [];
  }
  async createDirectory(uri: vscode.Uri): Promise<void> {
    const parts = uri.path.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      const p = `/${parts.slice(0, i).join('/')}`;
      if (!this.dirs.has(p) && this.readOnly.has(`/${parts.slice(0, i - 1).join('/')}`))
        throw new Error(`EACCES: permission denied, mkdir '${p}'`);
      this.dirs.add(p);
    }
  }
  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    const f = this.files.get(uri.path);
    if (!f) throw new FileNotFound(uri.path);
    return f;
  }
  async writeFile(uri: vscode.Uri, content: Uint8Array): Promise<void> {
    const dir = uri.path.slice(0, uri.path.lastIndexOf('/')) || '/';
    if (this.readOnly.has(dir)) throw new Error(`EACCES: permission denied, open '${uri.path}'`);
    this.files.set(uri.path, content);
  }
  async delete(uri: vscode.Uri): Promise<void> {
    this.files.delete(uri.path);
  }
  async rename(): Promise<void> {
    throw new Error('not used');
  }
  async copy(): Promise<void> {
    throw new Error('not used');
  }
  isWritableFileSystem(): boolean | undefined {
    return true;
  }
}

export class FakeSecretStorage implements vscode.SecretStorage {
  readonly values = new Map<string, string>();
  private readonly emitter = new Set<(e: vscode.SecretStorageChangeEvent) => unknown>();
  async get(key: string): Promise<string | undefined> {
    return this.values.get(key);
  }
  async store(key: string, value: string): Promise<void> {
    this.values.set(key, value);
    for (const l of this.emitter) l({ key });
  }
  async delete(key: string): Promise<void> {
    this.values.delete(key);
  }
  async keys(): Promise<string[]> {
    return [...this.values.keys()];
  }
  onDidChange: vscode.Event<vscode.SecretStorageChangeEvent> = (listener) => {
    this.emitter.add(listener);
    return { dispose: () => this.emitter.delete(listener) };
  };
}

export class FakeConfiguration implements Pick<vscode.WorkspaceConfiguration, 'get' | 'has'> {
  constructor(private readonly values: Record<string, unknown>) {}
  get<T>(section: string, defaultValue?: T): T | undefined {
    return Object.hasOwn(this.values, section) ? (this.values[section] as T) : defaultValue;
  }
  has(section: string): boolean {
    return Object.hasOwn(this.values, section);
  }
}
