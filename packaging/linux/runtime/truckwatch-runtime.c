/*
 * TruckWatch's AppImage runtime: the ELF at the head of TruckWatch-<version>-x86_64.AppImage.
 *
 * An AppImage (type 2) is this program followed by a squashfs image of the AppDir. The
 * official runtime (github.com/AppImage/type2-runtime) mounts the image with FUSE; it cannot
 * be fetched on the project's build machine (no GitHub), so the project builds this one from
 * Debian's libsquashfuse (static). It never mounts: it extracts.
 *
 *   (no option)                  extract once into $XDG_CACHE_HOME/truckwatch-appimage/<id>/
 *                                (~/.cache/...), then exec AppRun from there; later starts of
 *                                the same file reuse it. APPIMAGE_EXTRACT_AND_RUN=1: as below.
 *   --appimage-extract-and-run   extract into $TMPDIR/appimage_extracted_XXXXXX, run AppRun,
 *                                remove the directory when it exits (NO_CLEANUP=1 keeps it)
 *   --appimage-extract [GLOB]    extract (matching paths) into ./squashfs-root
 *   --appimage-offset            print where the squashfs starts
 *   --appimage-version, --appimage-help
 *
 * AppRun gets APPIMAGE, APPDIR, OWD and ARGV0 like with the official runtime. Other
 * --appimage-* options (mount, update, signature) are refused with exit status 1.
 * Limits: hard links become copies, extended attributes are ignored.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <squashfuse.h>

#define RUNTIME_VERSION "truckwatch-runtime 1 (extract-only, libsquashfuse)"
#define CACHE_NAME "truckwatch-appimage"

/* The sections the official runtime reserves (update information, signature), so that tools
 * which look for them find them, empty. */
__attribute__((section(".upd_info"), used)) static char upd_info[1024];
__attribute__((section(".sha256_sig"), used)) static char sha256_sig[1024];
__attribute__((section(".sig_key"), used)) static char sig_key[4096];

static void fail(const char *what) {
    fprintf(stderr, "AppImage runtime: %s: %s\n", what, strerror(errno));
    exit(1);
}

/* The squashfs starts where this ELF ends: after its section header table or its last
 * section, whichever is later. */
static off_t elf_size(const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail(path);
    Elf64_Ehdr ehdr;
    if (pread(fd, &ehdr, sizeof ehdr, 0) != (ssize_t)sizeof ehdr ||
        memcmp(ehdr.e_ident, ELFMAG, SELFMAG) != 0 || ehdr.e_ident[EI_CLASS] != ELFCLASS64) {
        fprintf(stderr, "AppImage runtime: %s is not a 64-bit ELF file\n", path);
        exit(1);
    }
    off_t end = (off_t)ehdr.e_shoff + (off_t)ehdr.e_shentsize * ehdr.e_shnum;
    for (unsigned i = 0; i < ehdr.e_shnum; i++) {
        Elf64_Shdr shdr;
        off_t at = (off_t)ehdr.e_shoff + (off_t)i * ehdr.e_shentsize;
        if (pread(fd, &shdr, sizeof shdr, at) != (ssize_t)sizeof shdr) break;
        if (shdr.sh_type != SHT_NOBITS && (off_t)(shdr.sh_offset + shdr.sh_size) > end)
            end = (off_t)(shdr.sh_offset + shdr.sh_size);
    }
    close(fd);
    return end;
}

static int make_dirs(const char *path) {
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) return -1;
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    return (mkdir(buf, 0755) != 0 && errno != EEXIST) ? -1 : 0;
}

static int copy_file(sqfs *fs, sqfs_inode *inode, const char *out, char *buf, size_t cap) {
    unlink(out);
    int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return -1;
    sqfs_off_t size = inode->xtra.reg.file_size;
    for (sqfs_off_t pos = 0; pos < size;) {
        sqfs_off_t n = size - pos < (sqfs_off_t)cap ? size - pos : (sqfs_off_t)cap;
        if (sqfs_read_range(fs, inode, pos, &n, buf) != SQFS_OK || n <= 0) {
            close(fd);
            errno = EIO;
            return -1;
        }
        for (sqfs_off_t done = 0; done < n;) {
            ssize_t w = write(fd, buf + done, (size_t)(n - done));
            if (w < 0) {
                close(fd);
                return -1;
            }
            done += w;
        }
        pos += n;
    }
    fchmod(fd, inode->base.mode & 07777);
    return close(fd);
}

/* Extract the squashfs at `offset` of `image` into `dest`; only paths matching `glob` if set. */
static int extract(const char *image, off_t offset, const char *dest, const char *glob) {
    sqfs fs;
    sqfs_traverse trv;
    sqfs_err err = SQFS_OK;
    if (sqfs_open_image(&fs, image, (size_t)offset) != SQFS_OK) {
        fprintf(stderr, "AppImage runtime: no squashfs image at offset %lld of %s\n",
                (long long)offset, image);
        return -1;
    }
    if (make_dirs(dest) != 0) fail(dest);
    if (sqfs_traverse_open(&trv, &fs, sqfs_inode_root(&fs)) != SQFS_OK) return -1;
    size_t cap = 1 << 20;
    char *buf = malloc(cap);
    char out[PATH_MAX];
    int rc = 0;
    while (rc == 0 && sqfs_traverse_next(&trv, &err)) {
        if (trv.dir_end) continue;
        if (glob && fnmatch(glob, trv.path, 0) != 0) continue;
        if (snprintf(out, sizeof out, "%s/%s", dest, trv.path) >= (int)sizeof out) {
            fprintf(stderr, "AppImage runtime: path too long: %s\n", trv.path);
            rc = -1;
            break;
        }
        sqfs_inode inode;
        if (sqfs_inode_get(&fs, &inode, sqfs_dentry_inode(&trv.entry)) != SQFS_OK) {
            rc = -1;
            break;
        }
        char *slash = strrchr(out, '/');
        *slash = '\0';
        if (make_dirs(out) != 0) fail(out); /* parents (a glob may skip them) */
        *slash = '/';
        switch (inode.base.inode_type) {
        case SQUASHFS_DIR_TYPE:
        case SQUASHFS_LDIR_TYPE:
            if (mkdir(out, 0755) != 0 && errno != EEXIST) fail(out);
            chmod(out, (inode.base.mode & 07777) | 0700); /* stay writable while extracting */
            break;
        case SQUASHFS_REG_TYPE:
        case SQUASHFS_LREG_TYPE:
            if (copy_file(&fs, &inode, out, buf, cap) != 0) fail(out);
            break;
        case SQUASHFS_SYMLINK_TYPE:
        case SQUASHFS_LSYMLINK_TYPE: {
            char target[PATH_MAX];
            size_t size = sizeof target;
            if (sqfs_readlink(&fs, &inode, target, &size) != SQFS_OK) {
                rc = -1;
                break;
            }
            unlink(out);
            if (symlink(target, out) != 0) fail(out);
            break;
        }
        default: /* devices, fifos, sockets: never in an AppDir */
            break;
        }
    }
    if (err != SQFS_OK) rc = -1;
    sqfs_traverse_close(&trv);
    sqfs_destroy(&fs);
    free(buf);
    if (rc != 0) fprintf(stderr, "AppImage runtime: extracting %s failed\n", image);
    return rc;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st; (void)flag; (void)ftw;
    return remove(path);
}

static void remove_tree(const char *path) { nftw(path, remove_entry, 32, FTW_DEPTH | FTW_PHYS); }

static pid_t child_pid;
static void forward(int sig) {
    if (child_pid > 0) kill(child_pid, sig);
}

static char **apprun_argv(char *apprun, int argc, char **argv) {
    char **args = calloc((size_t)argc + 2, sizeof *args);
    if (!args) fail("calloc");
    args[0] = apprun;
    for (int i = 0; i < argc; i++) args[i + 1] = argv[i];
    return args;
}

static void set_env(const char *self, const char *appdir, const char *argv0) {
    char cwd[PATH_MAX];
    setenv("APPIMAGE", self, 1);
    setenv("APPDIR", appdir, 1);
    setenv("ARGV0", argv0, 1);
    if (getcwd(cwd, sizeof cwd)) setenv("OWD", cwd, 1);
}

/* Run AppRun of a temporary extraction, wait, remove the extraction, pass the status on. */
static int run_and_clean(const char *self, const char *appdir, char *argv0, int argc,
                         char **argv) {
    char apprun[PATH_MAX];
    snprintf(apprun, sizeof apprun, "%s/AppRun", appdir);
    set_env(self, appdir, argv0);
    child_pid = fork();
    if (child_pid < 0) fail("fork");
    if (child_pid == 0) {
        execv(apprun, apprun_argv(apprun, argc, argv));
        fail(apprun);
    }
    signal(SIGINT, forward);
    signal(SIGTERM, forward);
    signal(SIGHUP, forward);
    signal(SIGQUIT, forward);
    int status = 0;
    while (waitpid(child_pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!getenv("NO_CLEANUP")) remove_tree(appdir);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(int argc, char **argv) {
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n < 0) fail("/proc/self/exe");
    self[n] = '\0';
    off_t offset = elf_size(self);
    const char *opt = argc > 1 ? argv[1] : "";

    if (strcmp(opt, "--appimage-offset") == 0) {
        printf("%lld\n", (long long)offset);
        return 0;
    }
    if (strcmp(opt, "--appimage-version") == 0) {
        puts(RUNTIME_VERSION);
        return 0;
    }
    if (strcmp(opt, "--appimage-help") == 0) {
        puts(RUNTIME_VERSION "\n"
             "  --appimage-extract [GLOB]   extract into ./squashfs-root\n"
             "  --appimage-extract-and-run  run from a temporary extraction, removed after\n"
             "  --appimage-offset           where the squashfs image starts\n"
             "  --appimage-version, --appimage-help\n"
             "Without an option: extract once into ~/.cache/" CACHE_NAME "/ and run.");
        return 0;
    }
    if (strcmp(opt, "--appimage-extract") == 0)
        return extract(self, offset, "squashfs-root", argc > 2 ? argv[2] : NULL) ? 1 : 0;

    const char *tmp = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    int flag = strcmp(opt, "--appimage-extract-and-run") == 0;
    if (flag || (getenv("APPIMAGE_EXTRACT_AND_RUN") && strcmp(getenv("APPIMAGE_EXTRACT_AND_RUN"), "1") == 0)) {
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%s/appimage_extracted_XXXXXX", tmp);
        if (!mkdtemp(dir)) fail(dir);
        if (extract(self, offset, dir, NULL) != 0) {
            remove_tree(dir);
            return 1;
        }
        return run_and_clean(self, dir, argv[0], argc - 1 - flag, argv + 1 + flag);
    }
    if (strncmp(opt, "--appimage-", 11) == 0) {
        fprintf(stderr, "%s: not supported by %s (see --appimage-help)\n", opt, RUNTIME_VERSION);
        return 1;
    }

    /* Default: a per-user cache, keyed by the file's identity; extracted under a private
     * name and renamed into place, so a half-extracted tree is never used. */
    struct stat st;
    if (stat(self, &st) != 0) fail(self);
    char base[PATH_MAX], dir[PATH_MAX], part[PATH_MAX], done[PATH_MAX];
    const char *cache = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    if (cache && *cache)
        snprintf(base, sizeof base, "%s/" CACHE_NAME, cache);
    else
        snprintf(base, sizeof base, "%s/.cache/" CACHE_NAME, home && *home ? home : tmp);
    snprintf(dir, sizeof dir, "%s/%llx-%llx-%llx", base, (unsigned long long)st.st_size,
             (unsigned long long)st.st_mtime, (unsigned long long)st.st_ino);
    snprintf(done, sizeof done, "%s/.complete", dir);
    if (access(done, F_OK) != 0) {
        snprintf(part, sizeof part, "%s.part-%d", dir, (int)getpid());
        if (extract(self, offset, part, NULL) != 0) {
            remove_tree(part);
            return 1;
        }
        char mark[PATH_MAX];
        snprintf(mark, sizeof mark, "%s/.complete", part);
        int fd = open(mark, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd >= 0) close(fd);
        if (rename(part, dir) != 0) remove_tree(part); /* another start won the race */
    }
    char apprun[PATH_MAX];
    snprintf(apprun, sizeof apprun, "%s/AppRun", dir);
    set_env(self, dir, argv[0]);
    execv(apprun, apprun_argv(apprun, argc - 1, argv + 1));
    fail(apprun);
}
