/*
 * TruckWatch.exe / truckwatch-cli.exe: start the console on the bundled Python.
 *
 * The MSI installs an embeddable CPython under <INSTALLDIR>\python and the console's code
 * under <INSTALLDIR>\app (found through python\python311._pth). This launcher runs
 *     <its own directory>\python\pythonw.exe -I -m console.app <its arguments>
 * (python.exe for the console-subsystem twin, built with -DCONSOLE, which keeps stdout and
 * the exit status for scripts: `truckwatch-cli --demo --self-test`), waits for it and
 * returns its exit status.
 *
 * Build (Debian: gcc-mingw-w64-x86-64):
 *   x86_64-w64-mingw32-gcc -O2 -municode -mwindows -o TruckWatch.exe launcher.c icon.o
 *   x86_64-w64-mingw32-gcc -O2 -municode -DCONSOLE -o truckwatch-cli.exe launcher.c icon.o
 */
#include <windows.h>
#include <stdlib.h>
#include <wchar.h>

#ifdef CONSOLE
#define PYTHON L"python\\python.exe"
#else
#define PYTHON L"python\\pythonw.exe"
#endif
#define MODULE L"console.app"

/* The command line after the program name (Windows' own quoting rules for argv[0]). */
static const wchar_t *arguments(const wchar_t *cmdline) {
    const wchar_t *p = cmdline;
    if (*p == L'"') {
        p++;
        while (*p && *p != L'"') p++;
        if (*p) p++;
    } else {
        while (*p && *p != L' ' && *p != L'\t') p++;
    }
    while (*p == L' ' || *p == L'\t') p++;
    return p;
}

static int run(void) {
    wchar_t dir[32768], python[32768];
    DWORD n = GetModuleFileNameW(NULL, dir, 32768);
    if (n == 0 || n >= 32768) return 120;
    wchar_t *slash = wcsrchr(dir, L'\\');
    if (slash) *slash = L'\0';
    _snwprintf(python, 32768, L"%ls\\%ls", dir, PYTHON);
    python[32767] = L'\0';

    const wchar_t *args = arguments(GetCommandLineW());
    size_t size = wcslen(python) + wcslen(MODULE) + wcslen(args) + 32;
    wchar_t *cmd = malloc(size * sizeof *cmd);
    if (!cmd) return 121;
    _snwprintf(cmd, size, L"\"%ls\" -I -m %ls %ls", python, MODULE, args);
    cmd[size - 1] = L'\0';

    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    ZeroMemory(&si, sizeof si);
    si.cb = sizeof si;
    if (!CreateProcessW(python, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi)) {
#ifdef CONSOLE
        fwprintf(stderr, L"TruckWatch: cannot start %ls (error %lu)\n", python, GetLastError());
#else
        MessageBoxW(NULL, python, L"TruckWatch: Python missing", MB_ICONERROR);
#endif
        free(cmd);
        return 122;
    }
    WaitForSingleObject(pi.hProcess, INFINITE);
    DWORD status = 1;
    GetExitCodeProcess(pi.hProcess, &status);
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
    free(cmd);
    return (int)status;
}

#ifdef CONSOLE
int wmain(void) { return run(); }
#else
int WINAPI wWinMain(HINSTANCE instance, HINSTANCE previous, LPWSTR cmdline, int show) {
    (void)instance; (void)previous; (void)cmdline; (void)show;
    return run();
}
#endif
