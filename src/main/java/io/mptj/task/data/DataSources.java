package io.mptj.task.data;

import java.util.List;

/**
 * Where each task's official files are published, with the size and SHA-256 that a public source
 * states for them: the Hugging Face {@code datasets} loaders' {@code dataset_infos.json} ({@code
 * download_checksums}) for glue, super_glue (v2 archives), scitail, paws, winogrande, yelp_polarity
 * and squad, which agree with TensorFlow Datasets' url_checksums where both list a file. GLUE's
 * archives are the ones its {@code download_glue_data.py} fetches; MRPC is rebuilt from Microsoft's
 * files by GLUE's recipe ({@link DataDownload}).
 */
public final class DataSources {
  private DataSources() {}

  /** How a downloaded file becomes task files. */
  public enum Unpack {
    /** A .zip or .tar.gz archive, unpacked; a single top-level folder in it is dropped. */
    ARCHIVE,
    /** A plain file, copied as is. */
    FILE,
    /** MRPC's three Microsoft files, turned into train.tsv/dev.tsv/test.tsv by GLUE's recipe. */
    MRPC_RECIPE
  }

  /**
   * One published file.
   *
   * @param url its official address
   * @param size its size in bytes, or -1 when no source states it
   * @param sha256 its SHA-256, or {@code null} when no source states it
   */
  public record Remote(String url, long size, String sha256) {
    /** The file name at the end of the URL. */
    public String fileName() {
      return url.substring(url.lastIndexOf('/') + 1);
    }
  }

  /**
   * The files of one task.
   *
   * @param task the task name, e.g. {@code glue/RTE}
   * @param unpack what to do with the downloaded files
   * @param files the files to download
   */
  public record Source(String task, Unpack unpack, List<Remote> files) {
    /** Copies the list. */
    public Source {
      files = List.copyOf(files);
    }
  }

  private static final String GLUE = "https://dl.fbaipublicfiles.com/glue/data/";
  private static final String SUPERGLUE = "https://dl.fbaipublicfiles.com/glue/superglue/data/v2/";

  /** Every task's official files. */
  public static final List<Source> ALL =
      List.of(
          archive(
              "glue/CoLA",
              GLUE + "CoLA.zip",
              376971,
              "f212fcd832b8f7b435fb991f101abf89f96b933ab400603bf198960dfc32cbff"),
          archive(
              "glue/SST-2",
              GLUE + "SST-2.zip",
              7439277,
              "d67e16fb55739c1b32cdce9877596db1c127dc322d93c082281f64057c16deaa"),
          new Source(
              "glue/MRPC",
              Unpack.MRPC_RECIPE,
              List.of(
                  new Remote(
                      "https://dl.fbaipublicfiles.com/senteval/senteval_data/msr_paraphrase_train.txt",
                      1047044,
                      "60a9b09084528f0673eedee2b69cb941920f0b8cd0eeccefc464a98768457f89"),
                  new Remote(
                      "https://dl.fbaipublicfiles.com/senteval/senteval_data/msr_paraphrase_test.txt",
                      441275,
                      "a04e271090879aaba6423d65b94950c089298587d9c084bf9cd7439bd785f784"),
                  new Remote(
                      GLUE + "mrpc_dev_ids.tsv",
                      6222,
                      "971d7767d81b997fd9060ade0ec23c4fc31cbb226a55d1bd4a1bac474eb81dc7"))),
          archive(
              "glue/QQP",
              GLUE + "QQP-clean.zip",
              41696084,
              "40e7c862c04eb26ee04b67fd900e76c45c6ba8e6d8fab4f8f1f8072a1a3fbae0"),
          archive(
              "glue/STS-B",
              GLUE + "STS-B.zip",
              802872,
              "e60a6393de5a8b5b9bac5020a1554b54e3691f9d600b775bd131e613ac179c85"),
          archive(
              "glue/MNLI",
              GLUE + "MNLI.zip",
              312783507,
              "e7c1d896d26ed6caf700110645df426cc2d8ebf02a5ab743d5a5c68ac1c83633"),
          archive(
              "glue/QNLI",
              GLUE + "QNLIv2.zip",
              10627589,
              "e634e78627a29adaecd4f955359b22bf5e70f2cbd93b493f2d624138a0c0e5f5"),
          archive(
              "glue/RTE",
              GLUE + "RTE.zip",
              697150,
              "6bf86de103ecd335f3441bd43574d23fef87ecc695977a63b82d5efb206556ee"),
          archive(
              "superglue/BoolQ",
              SUPERGLUE + "BoolQ.zip",
              4118001,
              "853fbe7922f70c59629f06a39e8d9ca440c3d740e760fd3b87a5ddf3dcba2436"),
          archive(
              "superglue/CB",
              SUPERGLUE + "CB.zip",
              75482,
              "8d641383298d54554066ba1c93f56ae7410af75df621b90c63028806bbbbb535"),
          archive(
              "superglue/COPA",
              SUPERGLUE + "COPA.zip",
              43986,
              "405906cddac74bc1e1ce8220f1107d1025b66a25ef10149d91b10bb30651125f"),
          archive(
              "superglue/MultiRC",
              SUPERGLUE + "MultiRC.zip",
              1116225,
              "b3cd440856e72eb166b2edcd37b798455f1ebd51f2c3de64c0c2a4e1971d2737"),
          archive(
              "superglue/RTE",
              SUPERGLUE + "RTE.zip",
              750920,
              "6310aab3f000424c9d0318a1ff20692e07c7f4aa15e8f17a5972ea0a35c398b9"),
          archive(
              "superglue/WiC",
              SUPERGLUE + "WiC.zip",
              396213,
              "ee7e67f4ae9eafbf533780faa198e62167f3cda54256cdf261877be3c0e90900"),
          archive(
              "superglue/WSC",
              SUPERGLUE + "WSC.zip",
              32751,
              "2ed6dfa94556b4a128ff0441efe365b2e883124e7e6aa00fb8d3a6cb1fd520a9"),
          archive(
              "superglue/ReCoRD",
              SUPERGLUE + "ReCoRD.zip",
              51757880,
              "30c7b651ab21b8bf8fab986495cd1084333010e040548f861b839eec0044ac18"),
          archive(
              "others/scitail",
              "http://data.allenai.org.s3.amazonaws.com/downloads/SciTailV1.1.zip",
              14174621,
              "3fccd37350a94ca280b75998568df85fc2fc62843a3198d644fcbf858e6943d5"),
          archive(
              "others/paws",
              "https://storage.googleapis.com/paws/english/paws_wiki_labeled_final.tar.gz",
              4687157,
              "1aad6cbb8a90b15563a0c154752c2b2c8e3bc5bdaa125172214d598bc76bc9fd"),
          archive(
              "others/winogrande",
              "https://storage.googleapis.com/ai2-mosaic/public/winogrande/winogrande_1.1.zip",
              3395492,
              "3619ab104d8be2977b25c90ff420cb42d491707dcc75362a1e5d22bc082b7318"),
          archive(
              "others/yelp_polarity",
              "https://s3.amazonaws.com/fast-ai-nlp/yelp_review_polarity_csv.tgz",
              166373201,
              "528f22e286cad085948acbc3bea7e58188416546b0e364d0ae4ca0ce666abe35"),
          new Source(
              "others/squad",
              Unpack.FILE,
              List.of(
                  new Remote(
                      "https://rajpurkar.github.io/SQuAD-explorer/dataset/train-v1.1.json",
                      30288272,
                      "3527663986b8295af4f7fcdff1ba1ff3f72d07d61a20f487cb238a6ef92fd955"),
                  new Remote(
                      "https://rajpurkar.github.io/SQuAD-explorer/dataset/dev-v1.1.json",
                      4854279,
                      "95aa6a52d5d6a735563366753ca50492a658031da74f301ac5238b03966972c9"))));

  private static Source archive(String task, String url, long size, String sha256) {
    return new Source(task, Unpack.ARCHIVE, List.of(new Remote(url, size, sha256)));
  }
}
